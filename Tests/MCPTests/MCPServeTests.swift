import Foundation
import Testing
import WfhostTestSupport

/// `wfhost mcp serve` driven by the official Python MCP client (PyPI `mcp` 2.x) in a virtual environment of the
/// test's own, over stdio, with a pinned environment: the shipped `core` and `chaos` plugins, a fresh state directory.
/// The client's checks are in `Fixtures/mcp_client_check.py` (a second phase kills the server mid-run and continues
/// the session in a new one); this test checks what the servers wrote to stdout (JSON-RPC only) and stderr (logs).
@Suite struct MCPServeTests {
    static let fixtures = TestSupport.repoRoot + "/Tests/MCPTests/Fixtures"

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// The python of the shared venv with `mcp>=2,<3` (`PythonVenv`), or a skip of the test when PyPI cannot be
    /// reached.
    static func pythonClient() throws -> String {
        try venv() + "/bin/python"
    }

    /// The shared venv with `mcp>=2,<3`; skips the test when PyPI cannot be reached.
    static func venv() throws -> String {
        do {
            return try PythonVenv.directory("mcp")
        } catch let unreachable as PythonVenv.Unreachable {
            try Test.cancel(Comment(rawValue: unreachable.reason))
        }
    }

    /// A server's world: a plugin directory with the shipped `core` and `chaos` plugins, a fresh state directory,
    /// the fixtures' predefined workflows, the pinned environment and where the server's output is logged.
    struct ServerWorld {
        var dir: String
        var state: String
        var stdoutLog: String
        var stderrLog: String
        var environment: [String: String]

        init(_ name: String) throws {
            dir = try TestSupport.temporaryDirectory(name)
            state = dir + "/state"
            let plugins = dir + "/plugins"
            try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: TestSupport.buildDir + "/libcore.so", toPath: plugins + "/core.so")
            try FileManager.default.copyItem(atPath: TestSupport.buildDir + "/libchaos.so", toPath: plugins + "/chaos.so")
            stdoutLog = dir + "/server-stdout.log"
            stderrLog = dir + "/server-stderr.log"
            environment = [
                "HOME": state, "WFHOST_STATE_DIR": state, "WFHOST_PLUGIN_PATH": plugins, "WFHOST_WORKER": TestSupport.worker,
                "PATH": "/usr/bin:/bin", "SWIFT_BACKTRACE": "enable=no", "LANG": "C",
                "WFHOST_WORKFLOWS_DIR": MCPServeTests.fixtures + "/workflows",
            ]
        }
    }

    @Test func officialPythonClientDrivesTheServer() throws {
        let world = try ServerWorld("mcp")
        defer { TestSupport.cleanup(world.dir) }
        let python = try Self.pythonClient()
        let (dir, state, stdoutLog, stderrLog, environment) = (world.dir, world.state, world.stdoutLog, world.stderrLog,
                                                               world.environment)
        // `tee` keeps every byte the server writes to stdout, on the way to the client.
        let config: [String: Any] = [
            "command": "/bin/sh", "args": ["-c", "\"$0\" mcp serve | tee -a \"$1\"", TestSupport.wfhost, stdoutLog],
            "env": environment, "cwd": dir, "stderr_log": stderrLog,
        ]
        let configFile = dir + "/client.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configFile))

        let client = try TestSupport.run("/usr/bin/timeout", ["300", python, Self.fixtures + "/mcp_client_check.py", configFile])
        let serverLog = (try? String(contentsOfFile: stderrLog, encoding: .utf8)) ?? "" // checked below
        #expect(client.status == 0, "the client's checks failed:\n\(client.stderr)\n--- server stderr ---\n\(serverLog)")
        if let line = client.stdout.split(separator: "\n").last {
            print("mcp timings (debug build): \(line)") // the figures this run measured; no assertion on them
        }

        // Nothing but JSON-RPC on the servers' stdout (the first, then the killed and the restarted one): every line
        // one JSON-RPC 2.0 message.
        for file in [stdoutLog, stdoutLog + ".restart"] {
            let stdout = try String(contentsOfFile: file, encoding: .utf8)
            #expect(stdout.hasSuffix("\n"))
            let lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.count > 5)
            for line in lines {
                let message = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(message?["jsonrpc"] as? String == "2.0", "not a JSON-RPC message on stdout: \(line.prefix(200))")
            }
            #expect(!stdout.contains("wfhost-mcp: "))
        }
        // The log went to stderr.
        #expect(serverLog.contains("wfhost-mcp: info: wfhost-mcp ") && serverLog.contains(" serving over stdio; state directory \(state)"))
        #expect(serverLog.contains("chaos.segfault: failed: crash:"))
        #expect(serverLog.contains("chaos.sleep: failed: cancelled: ")) // the reason: ours or the executor's, whichever sees it first
        #expect(serverLog.contains("the client closed the connection; stopping"))
        let restartLog = (try? String(contentsOfFile: stderrLog + ".restart", encoding: .utf8)) ?? "" // checked next
        #expect(restartLog.contains("notice: took over session "))
        #expect(restartLog.contains("stage nap: succeeded after 2 attempt(s)"))
    }
}
