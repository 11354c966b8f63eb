import Foundation
import Testing
import WfhostTestSupport

/// MCP tasks (protocol 2025-11-25, experimental) on `wfhost mcp serve`, driven by a client of plain JSON-RPC over the
/// server's stdio (`Fixtures/mcp_tasks_check.py`; the official Python client has no task support): the capability
/// only where negotiated, `execution.taskSupport` on the workflow tools, a workflow run as a task whose id is its
/// session id, `tasks/get` and `tasks/result` in a new server after the first was killed (SIGKILL) mid-run,
/// `tasks/cancel`, and the specification's errors. This test checks what the servers wrote to stdout and stderr.
@Suite struct MCPTasksTests {
    @Test func workflowRunsAreDurableTasks() throws {
        let world = try MCPServeTests.ServerWorld("mcp-tasks")
        defer { TestSupport.cleanup(world.dir) }
        let (dir, stdoutLog, stderrLog) = (world.dir, world.stdoutLog, world.stderrLog)
        let config: [String: Any] = [
            "wfhost": TestSupport.wfhost, "cwd": dir, "stdout_log": stdoutLog, "stderr_log": stderrLog,
            "env": world.environment,
        ]
        let configFile = dir + "/client.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configFile))

        let client = try TestSupport.run("/usr/bin/timeout", ["240", "/usr/bin/env", "python3",
                                                              MCPServeTests.fixtures + "/mcp_tasks_check.py", configFile])
        let serverLog = (try? String(contentsOfFile: stderrLog, encoding: .utf8)) ?? ""
        let restartLog = (try? String(contentsOfFile: stderrLog + ".restart", encoding: .utf8)) ?? ""
        let logs = "\(client.stderr)\n--- server stderr ---\n\(serverLog)\n--- restarted server stderr ---\n\(restartLog)"
        #expect(client.status == 0, "the client's checks failed:\n\(logs)")
        if let line = client.stdout.split(separator: "\n").last { print("mcp tasks timings (debug build): \(line)") }

        // Nothing but JSON-RPC on every server's stdout.
        for suffix in ["", ".restart", ".2025-06-18-True", ".2025-11-25-False"] {
            let stdout = try String(contentsOfFile: stdoutLog + suffix, encoding: .utf8)
            #expect(stdout.hasSuffix("\n"))
            let lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.count >= 3)
            for line in lines {
                let message = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(message?["jsonrpc"] as? String == "2.0", "not a JSON-RPC message on stdout\(suffix): \(line.prefix(200))")
            }
        }
        #expect(serverLog.contains("MCP tasks negotiated (protocol 2025-11-25)"))
        #expect(serverLog.contains("started as an MCP task"))
        #expect(restartLog.contains("notice: took over session "))
        #expect(restartLog.contains("cancelled by tasks/cancel"))
    }
}
