import Foundation
import WfhostTestSupport
import Schema
import Testing

/// A state directory with the shipped plugins, and helpers to run the built `wfhost` against it.
struct SessionHarness {
    let dir: String
    let plugins: String
    let state: String

    init(_ label: String) throws {
        dir = try TestSupport.temporaryDirectory(label)
        plugins = dir + "/plugins"
        state = dir + "/state"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        for (lib, name) in [("libcore.so", "core.so"), ("libchaos.so", "chaos.so")] {
            try FileManager.default.copyItem(atPath: TestSupport.buildDir + "/" + lib, toPath: plugins + "/" + name)
        }
    }

    var environment: [String: String] {
        ["HOME": dir, "WFHOST_STATE_DIR": state, "WFHOST_PLUGIN_PATH": plugins, "PATH": "/usr/bin:/bin",
         "SWIFT_BACKTRACE": "enable=no"]
    }

    func wfhost(_ args: [String]) throws -> TestSupport.RunResult {
        try TestSupport.run(TestSupport.wfhost, args, environment: environment)
    }

    /// Starts `wfhost` without waiting; its output goes to files in the harness directory.
    func start(_ args: [String], environment extra: [String: String] = [:]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TestSupport.wfhost)
        p.arguments = args
        p.environment = environment.merging(extra) { _, new in new }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = dir + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func statusJSON(_ session: String) throws -> JSONValue {
        try JSONValue.parse(try wfhost(["status", session, "--json"]).stdout)
    }

    func stageStatuses(_ session: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for s in try statusJSON(session)["stages"]?.arrayValue ?? [] {
            if let n = s["name"]?.stringValue, let st = s["status"]?.stringValue { out[n] = st }
        }
        return out
    }

    /// The newest session, optionally only of runs of `workflowFile`.
    func newestSession(workflowFile: String? = nil) throws -> String? {
        let all = try JSONValue.parse(try wfhost(["sessions", "list", "--json"]).stdout)["sessions"]?.arrayValue ?? []
        return all.first { workflowFile == nil || $0["file"]?.stringValue == workflowFile }?["session_id"]?.stringValue
    }

    /// Waits (polling every 20 ms, at most `seconds`) until `condition` holds.
    func waitUntil(_ seconds: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(20_000)
        }
        return false
    }

    /// Waits until the newest session's `stage` is running; returns the session id, or nil after 20 s.
    func waitForRunningStage(_ stage: String) throws -> String? {
        var session: String? = nil
        let started = waitUntil {
            session = try? newestSession() // not created yet: keep waiting
            guard let s = session else { return false }
            return (try? stageStatuses(s)[stage]) == "running" // as above
        }
        return started ? session : nil
    }

    /// Lines of the log file written by the stages, counted per line text.
    func lineCounts(_ path: String) -> [String: Int] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" // no file yet: no lines
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") { counts[String(line), default: 0] += 1 }
        return counts
    }

    func cleanup() { TestSupport.cleanup(dir) }
}
