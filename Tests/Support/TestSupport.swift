import Foundation

/// Paths, fixture compilation and process runs shared by the test targets.
public enum TestSupport {
    /// The repository root, from this file's path (Tests/Support/TestSupport.swift).
    public static let repoRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The build folder holding wfhost, wfhost-worker and the shipped plugins (beside the test binary).
    public static let buildDir: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        var url = URL(fileURLWithPath: exe)
        url.deleteLastPathComponent()
        // Under some runners the test bundle is a directory: walk up to the folder that holds `wfhost`.
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("wfhost").path) {
            url.deleteLastPathComponent()
        }
        return url.path
    }()

    public static var wfhost: String { buildDir + "/wfhost" }
    public static var worker: String { buildDir + "/wfhost-worker" }

    /// A fresh temporary directory, removed by the caller with `cleanup`.
    public static func temporaryDirectory(_ label: String = "t") throws -> String {
        let path = NSTemporaryDirectory() + "wfhost-test-\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    public static func cleanup(_ path: String) {
        try? FileManager.default.removeItem(atPath: path) // a leftover temp dir is harmless
    }

    /// Compiles a fixture into `output` as a shared object.
    /// - Parameter source: an absolute path, or a file name in `Tests/RegistryTests/Fixtures`.
    @discardableResult
    public static func compileFixture(_ source: String, to output: String, defines: [String] = [],
                               extra: [String] = []) throws -> String {
        let args = ["-std=gnu99", "-Wall", "-shared", "-fPIC", "-I", repoRoot + "/SDK/include"]
            + defines.map { "-D" + $0 } + [(source.hasPrefix("/") ? source : repoRoot + "/Tests/RegistryTests/Fixtures/" + source), "-o", output] + extra
        let result = try run("/usr/bin/cc", args)
        guard result.status == 0 else {
            throw FixtureError(message: "cc failed for \(source) \(defines): \(result.stderr)")
        }
        return output
    }

    public struct FixtureError: Error, CustomStringConvertible { public var message: String; public var description: String { message } }

    public struct RunResult {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs a program to completion and captures its output.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> RunResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes fully before waiting, so a large output cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return RunResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs the built `wfhost` with a pinned environment: its own state directory and plugin path only.
    public static func wfhost(_ arguments: [String], stateDir: String, pluginPath: String = "") throws -> RunResult {
        try run(wfhost, arguments, environment: [
            "HOME": stateDir, "WFHOST_STATE_DIR": stateDir, "WFHOST_PLUGIN_PATH": pluginPath,
            "PATH": "/usr/bin:/bin", "SWIFT_BACKTRACE": "enable=no",
        ])
    }
}
