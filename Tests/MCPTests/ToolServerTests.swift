import Foundation
import Schema
import Testing
import WfhostTestSupport

/// MCP servers as tool providers: a Python MCP server (`Fixtures/toolserver/fixture_server.py`, written with the
/// official `mcp` package) declared under `spec.tool_servers`, driven by the built `wfhost` through the
/// `wfhost-mcp client` helper. Real processes throughout: the server, the helper, the worker for `core.echo`.
@Suite(.serialized) struct ToolServerTests {
    static let fixtures = TestSupport.repoRoot + "/Tests/MCPTests/Fixtures/toolserver"

    /// A world: the venv's python, the core plugin, a state directory, a pinned environment.
    struct World {
        var dir: String
        /// The shared venv with the `mcp` package (`PythonVenv`).
        var venv: String
        var python: String
        /// What the venv's python needs to read in the server's sandbox: the venv and the installation it was made
        /// from (`sys.base_prefix`), as a YAML flow list.
        var pythonPaths: String
        var environment: [String: String]

        init() throws {
            dir = try TestSupport.temporaryDirectory("toolserver")
            venv = try MCPServeTests.venv()
            python = venv + "/bin/python"
            let base = try TestSupport.run(python, ["-c", "import sys; print(sys.base_prefix)"])
            pythonPaths = "[\(venv), \(base.stdout.trimmingCharacters(in: .whitespacesAndNewlines))]"
            let plugins = dir + "/plugins", state = dir + "/state"
            try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: TestSupport.buildDir + "/libcore.so", toPath: plugins + "/core.so")
            environment = [
                "HOME": dir, "XDG_CONFIG_HOME": dir + "/config", "WFHOST_STATE_DIR": state, "WFHOST_PLUGIN_PATH": plugins,
                "WFHOST_WORKER": TestSupport.worker, "PATH": "/usr/bin:/bin", "SWIFT_BACKTRACE": "enable=no", "LANG": "C",
                "fixture_token": "a-token-for-the-fixture",
            ]
        }

        /// A workflow declaring the fixture as `fx` (with `extraEnv` lines under its env), then `stages`.
        func workflow(_ stages: String, extraEnv: String = "", name: String = "flow.yaml") throws -> String {
            let text = """
                apiVersion: orchestration/v1
                kind: Workflow
                metadata:
                  name: mcp-flow
                spec:
                  tool_servers:
                    fx:
                      command: \(python)
                      args: [\(ToolServerTests.fixtures)/fixture_server.py]
                      env:
                        FIXTURE_TOKEN: ${secret:fixture_token}
                \(extraEnv)
                      capabilities: {read_paths: \(pythonPaths)}
                  stages:
                \(stages)
                """
            let path = dir + "/" + name
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        func wfhost(_ arguments: [String]) throws -> TestSupport.RunResult {
            try TestSupport.run("/usr/bin/timeout", ["240", TestSupport.wfhost] + arguments, environment: environment)
        }

        /// `status --json` of the newest session (found with `sessions --json`): its text, the document, its stages.
        func newestSessionStatus() throws -> (text: String, document: [String: Any]?, stages: [[String: Any]]) {
            let sessions = try wfhost(["sessions", "--json"])
            let list = (try JSONSerialization.jsonObject(with: Data(sessions.stdout.utf8)) as? [String: Any])?["sessions"]
            let id = ((list as? [[String: Any]])?.first?["session_id"] as? String) ?? ""
            let status = try wfhost(["status", id, "--json"])
            let doc = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
            return (status.stdout, doc, (doc?["stages"] as? [[String: Any]]) ?? [])
        }
    }

    @Test func stagesCallTheServersToolsAndACrashOrHangFailsOnlyItsCall() throws {
        let world = try World()
        defer { TestSupport.cleanup(world.dir) }
        let flow = try world.workflow("""
                - name: greet
                  tools:
                    - name: fx.echo
                      args: {message: hello, times: 2}
                - name: shout
                  depends_on: [greet]
                  tools:
                    - name: fx.upper
                      args: {text: "${stages.greet.outputs.repeated}"}
                - name: relay
                  depends_on: [shout]
                  tools:
                    - name: core.echo
                      args: {message: "${stages.shout.outputs.text}"}
                - name: boom
                  allow_failure: true
                  tools: [{name: fx.crash, args: {message: x}}]
                - name: stuck
                  allow_failure: true
                  timeout: 2s
                  tools: [{name: fx.hang}]
                - name: after_crash
                  depends_on: [boom]
                  run_when: always
                  tools: [{name: fx.echo, args: {message: again}}]
            """)
        let validated = try world.wfhost(["validate", flow])
        #expect(validated.status == 0, "\(validated.stdout)\(validated.stderr)")
        #expect(validated.stdout.contains("valid (6 stages"))

        let run = try world.wfhost(["run", flow, "--secret", "fixture_token"])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let status = try world.newestSessionStatus(), stages = status.stages
        func stage(_ name: String) -> [String: Any] { stages.first { $0["name"] as? String == name } ?? [:] }
        func output(_ name: String) -> [String: Any] { stage(name)["output"] as? [String: Any] ?? [:] }
        #expect(stage("greet")["status"] as? String == "succeeded", "\(status.text)")
        #expect(output("greet")["repeated"] as? String == "hello hello")
        #expect(output("greet")["token_seen"] as? Bool == true) // ${secret:...} reached the server's environment
        #expect(output("shout")["text"] as? String == "HELLO HELLO") // a text result becomes {"text": ...}
        #expect(output("relay")["message"] as? String == "HELLO HELLO") // through a plugin tool
        #expect(stage("after_crash")["status"] as? String == "succeeded") // the server was started again
        #expect(stage("boom")["status"] as? String == "allowed_failure")
        #expect(stage("boom")["error_type"] as? String == "crash")
        #expect(stage("boom")["error"] as? String == "tool server 'fx' (\(world.python) \(Self.fixtures)/fixture_server.py) "
                + "exited with code 7 during the call of 'crash'")
        #expect(stage("stuck")["status"] as? String == "allowed_failure")
        #expect(stage("stuck")["error_type"] as? String == "timeout")
        #expect(status.document?["status"] as? String == "succeeded")
    }

    @Test func errorsNameTheServerItsCommandAndItsStderr() throws {
        let world = try World()
        defer { TestSupport.cleanup(world.dir) }
        // Unknown tool on a server, with did-you-mean; unknown server.
        let typo = try world.workflow("""
                - name: a
                  tools: [{name: fx.ecoh, args: {message: m}}]
                - name: b
                  tools: [{name: nosuch.echo, args: {message: m}}]
            """, name: "typo.yaml")
        let checked = try world.wfhost(["validate", typo])
        #expect(checked.status == 2)
        #expect(checked.stdout.contains("typo.yaml:16:22: error: tool server 'fx' has no tool 'ecoh'\n  hint: did you mean 'fx.echo'?"),
                "\(checked.stdout)")
        #expect(checked.stdout.contains("typo.yaml:18:22: error: unknown tool 'nosuch.echo': no plugin or tool server is named 'nosuch'"),
                "\(checked.stdout)")

        // Arguments are checked against the server's input schema statically.
        let badArgs = try world.workflow("""
                - name: a
                  tools: [{name: fx.echo, args: {message: m, times: lots}}]
            """, name: "args.yaml")
        let argsChecked = try world.wfhost(["validate", badArgs])
        #expect(argsChecked.status == 2)
        #expect(argsChecked.stdout.contains("args.yaml:16:57: error: invalid arguments for tool 'fx.echo' at 'times': \"lots\" is not of type integer"), "\(argsChecked.stdout)")

        // A server that exits at start: its name, command and stderr.
        let failing = try world.workflow("""
                - name: a
                  tools: [{name: fx.echo, args: {message: m}}]
            """, extraEnv: "        FIXTURE_FAIL_AT_START: \"1\"", name: "failing.yaml")
        let failed = try world.wfhost(["validate", failing])
        #expect(failed.status == 2)
        #expect(failed.stdout.contains("failing.yaml:7:5: error: tool server 'fx' (\(world.python) \(Self.fixtures)/fixture_server.py) "
                                       + "exited with code 3 while starting; its stderr ended with:\n"
                                       + "    | fixture: cannot open the database /nonexistent/db"), "\(failed.stdout)")

        // Inline secrets are refused where they are written.
        let inline = try world.workflow("""
                - name: a
                  tools: [{name: fx.echo, args: {message: m}}]
            """, extraEnv: "        API_TOKEN: abc123abc123", name: "inline.yaml")
        let refused = try world.wfhost(["validate", "--no-registry", inline])
        #expect(refused.stdout.contains("inline.yaml:12:20: error: `env.API_TOKEN` of tool server 'fx' looks like a secret "
                                        + "written in the file; secrets are passed by reference, never inline"), "\(refused.stdout)")
    }

    @Test func pluginsListAndShowShowTheUserLevelServers() throws {
        let world = try ToolServerTests.World()
        defer { TestSupport.cleanup(world.dir) }
        let script = Self.fixtures + "/fixture_server.py"
        let file = world.dir + "/config/wfhost/servers.yaml"
        try FileManager.default.createDirectory(atPath: world.dir + "/config/wfhost", withIntermediateDirectories: true)
        try """
            tool_servers:
              fx:
                command: \(world.python)
                args: [\(script)]
                capabilities: {read_paths: \(world.pythonPaths)}
              broken:
                command: \(world.python)
                args: [\(script)]
                env: {FIXTURE_FAIL_AT_START: "1"}
                capabilities: {read_paths: \(world.pythonPaths)}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let command = "\(world.python) \(script)"
        let failure = "tool server 'broken' (\(command)) exited with code 3 while starting"

        let list = try world.wfhost(["plugins", "list"])
        #expect(list.status == 0, "\(list.stdout)\(list.stderr)")
        let table = list.stdout.components(separatedBy: "\n\n").last ?? ""
        #expect(table == """
            TOOL SERVER  STATUS  TOOLS                                   DECLARED AT
            fx           ok      echo, upper, fail, crash, hang, report  \(file):2:3
            broken       failed  -                                       \(file):6:3
            broken: failed: \(failure); its stderr ended with:
                | fixture: cannot open the database /nonexistent/db
              hint: run the command by hand to see why; its stderr is shown above

            """, "\(list.stdout)")

        let show = try world.wfhost(["plugins", "show", "fx"])
        #expect(show.status == 0)
        #expect(show.stdout == """
            tool server fx

            declared at:  \(file):2:3
            command:      \(command)
            status:       ok (cached list)
            tools:        fx.echo, fx.upper, fx.fail, fx.crash, fx.hang, fx.report
            capabilities: network no; reads \(world.pythonPaths.dropFirst().dropLast()); writes -
            sandbox:      the worker's (wfhost-worker exec): these paths, the system directories, PATH, the command and its file arguments; HOME and TMPDIR are a work directory of its own
            last error:   -

            """, "\(show.stdout)")

        let schemaText = try String(contentsOfFile: TestSupport.repoRoot + "/share/schemas/plugins-list.schema.json", encoding: .utf8)
        let schema = try CompiledSchema.compile(try JSONValue.parse(schemaText))
        for arguments in [["plugins", "list", "--json"], ["plugins", "show", "broken", "--json"]] {
            let run = try world.wfhost(arguments)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
            let document = try JSONValue.parse(run.stdout)
            #expect(schema.validate(document).isEmpty, "\(arguments): \(schema.validate(document).map(\.description))")
            let servers = document["tool_servers"]?.arrayValue ?? []
            let broken = servers.first { $0["name"] == "broken" }
            #expect(broken?["status"] == "failed")
            #expect(broken?["declared_at"] == .string("\(file):6:3"))
            #expect(broken?["last_error"]?["message"] == .string(failure))
            #expect(broken?["last_error"]?["stderr_tail"] == "fixture: cannot open the database /nonexistent/db\n")
            if arguments[1] == "list" {
                let fx = servers.first { $0["name"] == "fx" }
                #expect(fx?["tools"] == .array(["fx.echo", "fx.upper", "fx.fail", "fx.crash", "fx.hang", "fx.report"]))
                #expect(fx?["last_error"] == .null)
            }
        }
    }

    @Test func aMalformedServersFileIsBadInputAtItsPlace() throws {
        let dir = try TestSupport.temporaryDirectory("servers-yaml")
        defer { TestSupport.cleanup(dir) }
        let file = dir + "/config/wfhost/servers.yaml"
        try FileManager.default.createDirectory(atPath: dir + "/config/wfhost", withIntermediateDirectories: true)
        try "tool_servers:\n  fx:\n    comand: python3\n".write(toFile: file, atomically: true, encoding: .utf8)
        let flow = dir + "/flow.yaml"
        try "stages:\n  - {name: a, tools: [{name: echo, args: {message: m}}]}\n".write(toFile: flow, atomically: true, encoding: .utf8)
        let environment = ["HOME": dir, "XDG_CONFIG_HOME": dir + "/config", "WFHOST_STATE_DIR": dir + "/state",
                           "WFHOST_WORKER": TestSupport.worker, "PATH": "/usr/bin:/bin", "SWIFT_BACKTRACE": "enable=no"]
        let expected = """
            error: the tool servers file \(file) has errors:
            \(file):3:5: error: unknown key 'comand' in tool server 'fx'
              hint: did you mean 'command'?
            \(file):3:5: error: missing required key 'command' in tool server 'fx'
              hint: fix the file, or move it away to run without its servers

            """
        for arguments in [["plugins", "list"], ["validate", flow], ["run", flow]] {
            let run = try TestSupport.run(TestSupport.wfhost, arguments, environment: environment)
            #expect(run.status == 2, "\(arguments): \(run.stderr)")
            #expect(run.stderr == expected, "\(arguments): \(run.stderr)")
        }
    }

    @Test func aServersProgressAndLogNotificationsReachTheRunsEvents() throws {
        let world = try World()
        defer { TestSupport.cleanup(world.dir) }
        let flow = try world.workflow("""
                - name: steps
                  tools: [{name: fx.report, args: {steps: 3}}]
            """)
        let events = world.dir + "/events.jsonl"
        let run = try world.wfhost(["run", flow, "--secret", "fixture_token", "--events", events])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let lines = try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let logs = lines.filter { $0["event"] as? String == "log" }
        #expect(logs.map { "\($0["level"] ?? "") \($0["message"] ?? "")" }
                == ["info step 1 of 3", "info step 2 of 3", "info step 3 of 3", "warning all steps done"], "\(logs)")
        #expect(logs.allSatisfy { $0["stage"] as? String == "steps" && $0["tool"] as? String == "fx.report" })
        // The call's progress is the stage's share of the run while it runs.
        let midway = lines.filter {
            guard $0["event"] as? String == "progress", let f = $0["fraction"] as? Double else { return false }
            return f > 0 && f < 1 && ($0["running"] as? [String]) == ["steps"]
        }
        #expect(!midway.isEmpty, "\(lines)")
        // The log lines are the stage's too (`wfhost logs`).
        let session = lines.first { $0["event"] as? String == "run_started" }?["session_id"] as? String ?? ""
        let shown = try world.wfhost(["logs", session])
        #expect(shown.stdout.contains("log    info: step 1 of 3\nlog    info: step 2 of 3\nlog    info: step 3 of 3\n"
                                      + "log    warning: all steps done\n"), "\(shown.stdout)")
    }
}
