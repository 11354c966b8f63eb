import Foundation

/// Paths of the build and of the fixtures, found from the test binary (it sits in the build folder).
enum Paths {
    static let buildDirectory: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The XCTest bundle on Linux is a plain executable in the build folder; tolerate a .xctest directory too.
        if url.lastPathComponent.hasSuffix(".xctest") { url.deleteLastPathComponent() }
        return url.path
    }()
    static let plugin = buildDirectory + "/libcontainerization.so"
    static let wfhost = buildDirectory + "/wfhost"
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
}

/// A temporary directory removed when the value is released.
final class TemporaryDirectory {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("wfhost-cz-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit {
        // Best effort: a leftover temporary directory is harmless, and deinit cannot report.
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Copies a fixture repository into this directory and returns the copy's path.
    func copy(fixture: String, as name: String? = nil) throws -> String {
        let target = path + "/" + (name ?? fixture)
        try FileManager.default.copyItem(atPath: Paths.fixtures + "/" + fixture, toPath: target)
        return target
    }

    func write(_ text: String, to relative: String, executable: Bool = false) throws {
        let file = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file) }
    }

    func read(_ relative: String) -> String {
        (try? String(contentsOfFile: path + "/" + relative, encoding: .utf8)) ?? ""  // absent: empty, and the comparison shows it
    }
}

/// What a finished child process left.
struct ProcessOutput {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the built `wfhost` with exactly `environment` (nothing inherited), waiting for it to exit.
func runWfhost(_ arguments: [String], environment: [String: String]) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Paths.wfhost)
    process.arguments = arguments
    process.environment = environment
    // stderr goes to a file so that only one pipe has to be drained while the child runs.
    let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("wfhost-cz-stderr-\(UUID().uuidString)").path
    guard FileManager.default.createFile(atPath: errPath, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
    defer {
        // Best effort: a leftover file in the temporary directory is harmless.
        try? FileManager.default.removeItem(atPath: errPath)
    }
    let out = Pipe()
    process.standardOutput = out
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let errData = FileManager.default.contents(atPath: errPath) ?? Data()
    return ProcessOutput(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// A sandbox for driving `wfhost`: a state directory, a plugin directory holding only the containerization
/// plugin, and a directory of stand-in CLIs that record their argv in `calls.log`.
final class CLIWorld {
    let dir: TemporaryDirectory
    var standins: String { dir.path + "/bin" }
    var emptyBin: String { dir.path + "/empty-bin" }

    init() throws {
        dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path + "/plugins", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: emptyBin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: standins, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/plugins/containerization.so", withDestinationPath: Paths.plugin)
    }

    /// The environment of a `wfhost` run: PATH is only `path` (the stand-ins, or an empty directory).
    func environment(path: String) -> [String: String] {
        ["PATH": path, "HOME": dir.path, "WFHOST_STATE_DIR": dir.path + "/state", "WFHOST_PLUGIN_PATH": dir.path + "/plugins",
         "SWIFT_BACKTRACE": "enable=no"]
    }

    /// The recorded command lines, one per call.
    var calls: [String] { dir.read("bin/calls.log").split(separator: "\n").map(String.init) }

    /// A stand-in: records `NAME ARGS...` and answers per its first argument from `responses` (shell case patterns
    /// to script bodies using only shell builtins; PATH holds nothing else).
    func standin(_ name: String, _ responses: [(String, String)] = []) throws {
        var script = "#!/bin/sh\nprintf '%s\\n' \"${0##*/} $*\" >> \"${0%/*}/calls.log\" 2>/dev/null\ncase \"$*\" in\n"
        for (pattern, body) in responses { script += "  \(pattern)) \(body) ;;\n" }
        script += "esac\nexit 0\n"
        try dir.write(script, to: "bin/\(name)", executable: true)
    }

    /// The usual stand-ins: docker (daemon answering; the first `failBuilds` builds fail), trivy (one LOW
    /// finding, or with `criticalFinding` a CRITICAL one as well), kubectl (apply, rollout, a healthy deployment).
    func standardStandins(failBuilds: Int = 0, criticalFinding: Bool = false) throws {
        try standin("docker", [
            ("info*", "printf '24.0.7\\n'"),
            ("build*", """
            n=0; while read -r line; do case "$line" in "docker build"*) n=$((n+1));; esac; done < "${0%/*}/calls.log"; \
            if [ "$n" -le \(failBuilds) ]; then printf 'ERROR: failed to solve: process "/bin/sh -c npm ci" did not complete successfully\\n' >&2; exit 1; fi
            """),
        ])
        let critical = criticalFinding
            ? #",{"VulnerabilityID":"CVE-2024-9","PkgName":"openssl","InstalledVersion":"3.0","Severity":"CRITICAL"}"# : ""
        try standin("trivy", [("image*", #"printf '%s\n' '{"Results":[{"Vulnerabilities":[{"VulnerabilityID":"CVE-2024-0001","PkgName":"zlib","InstalledVersion":"1.3","FixedVersion":"1.3.1","Severity":"LOW"}"#
                                         + critical + #"]}]}'"#)])
        try standin("kubectl", [
            ("*apply*", "printf 'deployment.apps/greeter-service configured\\nservice/greeter-service unchanged\\n'"),
            ("*rollout*", "printf 'deployment \"greeter-service\" successfully rolled out\\n'"),
            ("get*|*\" get \"*", #"printf '%s\n' '{"spec":{"replicas":2},"status":{"readyReplicas":2}}'"#),
        ])
    }
}
