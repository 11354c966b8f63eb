import Foundation
import Testing
import WfhostTestSupport

/// A tool server runs in the worker's sandbox, built from its declared capabilities (`wfhost-worker exec`): a
/// hostile Python server (`Fixtures/toolserver/hostile_server.py`) tries to read and write outside its grants and
/// to open a TCP socket, and a twin declared with the network may open one. Each attempt is asserted by errno.
@Suite(.serialized) struct ToolServerSandboxTests {
    static let script = ToolServerTests.fixtures + "/hostile_server.py"

    @Test func aServerSeesOnlyWhatItsCapabilitiesGrant() throws {
        let world = try ToolServerTests.World()
        defer { TestSupport.cleanup(world.dir) }
        let fm = FileManager.default
        let granted = world.dir + "/granted", out = world.dir + "/out"
        try fm.createDirectory(atPath: granted, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
        try "visible".write(toFile: granted + "/ok.txt", atomically: true, encoding: .utf8)
        try "the user's secret".write(toFile: world.dir + "/secret.txt", atomically: true, encoding: .utf8)
        // A port nothing listens on: a socket that may be opened is refused at connect.
        let port = 1

        func server(_ name: String, network: Bool) -> String {
            """
                \(name):
                  command: \(world.python)
                  args: [\(Self.script)]
                  capabilities:
                    network: \(network)
                    read_paths: \(world.pythonPaths.dropLast()), \(granted)]
                    write_paths: [\(out)]
            """
        }
        func stage(_ name: String, _ tool: String, _ args: String) -> String {
            """
                - name: \(name)
                  tools: [{name: \(tool), args: \(args)}]
            """
        }
        let text = """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata:
              name: hostile-servers
            spec:
              tool_servers:
            \(server("hx", network: false))
            \(server("hn", network: true))
              stages:
            \(stage("read_granted", "hx.read_file", "{path: \(granted)/ok.txt}"))
            \(stage("read_outside", "hx.read_file", "{path: \(world.dir)/secret.txt}"))
            \(stage("write_granted", "hx.write_file", "{path: \(out)/result.txt, text: written}"))
            \(stage("write_read_only", "hx.write_file", "{path: \(granted)/evil.txt, text: x}"))
            \(stage("write_outside", "hx.write_file", "{path: \(world.dir)/evil.txt, text: x}"))
            \(stage("socket_denied", "hx.open_socket", "{port: \(port)}"))
            \(stage("socket_granted", "hn.open_socket", "{port: \(port)}"))
            \(stage("whoami", "hx.whoami", "{}"))
            """
        let flow = world.dir + "/hostile.yaml"
        try text.write(toFile: flow, atomically: true, encoding: .utf8)

        let run = try world.wfhost(["run", flow])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let status = try world.newestSessionStatus(), stages = status.stages
        func output(_ name: String) -> [String: Any] {
            stages.first { $0["name"] as? String == name }?["output"] as? [String: Any] ?? [:]
        }

        // Reading: a declared path is visible, a file beside it in the user's directory does not exist.
        #expect(output("read_granted")["text"] as? String == "visible", "\(status.text)")
        #expect(output("read_outside")["ok"] as? Bool == false)
        #expect(output("read_outside")["errno"] as? Int == Int(ENOENT), "\(output("read_outside"))")
        // Writing: the declared write path reaches the real file; a read-only grant and the rest do not.
        #expect(output("write_granted")["ok"] as? Bool == true, "\(output("write_granted"))")
        #expect((try? String(contentsOfFile: out + "/result.txt", encoding: .utf8)) == "written")
        #expect(output("write_read_only")["ok"] as? Bool == false)
        #expect([Int(EROFS), Int(EACCES)].contains(output("write_read_only")["errno"] as? Int ?? 0), "\(output("write_read_only"))")
        #expect(!fm.fileExists(atPath: granted + "/evil.txt"))
        #expect(output("write_outside")["ok"] as? Bool == false)
        #expect([Int(EACCES), Int(ENOENT), Int(EROFS)].contains(output("write_outside")["errno"] as? Int ?? 0), "\(output("write_outside"))")
        #expect(!fm.fileExists(atPath: world.dir + "/evil.txt"))
        // The network: without the capability the socket itself is refused (seccomp, EACCES); with it the
        // socket opens and the connection is refused by the closed port.
        #expect(output("socket_denied")["stage"] as? String == "socket", "\(output("socket_denied"))")
        #expect(output("socket_denied")["errno"] as? Int == Int(EACCES))
        #expect(output("socket_granted")["stage"] as? String == "connect", "\(output("socket_granted"))")
        #expect(output("socket_granted")["errno"] as? Int == Int(ECONNREFUSED))
        // HOME and TMPDIR are the server's own work directory; wfhost's variables for the worker do not reach it.
        let who = output("whoami")
        let home = who["home"] as? String ?? ""
        #expect(home.hasPrefix("/tmp/wfhost-server-hx-"), "\(who)")
        #expect(who["tmpdir"] as? String == home)
        let variables = who["variables"] as? [String] ?? []
        #expect(!variables.contains("WFHOST_USER_HOME") && !variables.contains("WFHOST_PARENT_PID"), "\(variables)")
        // The run is over: its servers stopped and their work directories are gone.
        #expect(!fm.fileExists(atPath: home))
    }

    @Test func aServerWhoseProgramIsOutsideItsViewSaysWhereTheLinkLeads() throws {
        let world = try ToolServerTests.World()
        defer { TestSupport.cleanup(world.dir) }
        // The venv is declared, the installation its python links to is not.
        let flow = world.dir + "/unseen.yaml"
        try """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata:
              name: unseen
            spec:
              tool_servers:
                hx:
                  command: \(world.python)
                  args: [\(Self.script)]
                  capabilities: {read_paths: [\(world.venv)]}
              stages:
                - name: a
                  tools: [{name: hx.whoami}]
            """.write(toFile: flow, atomically: true, encoding: .utf8)
        let checked = try world.wfhost(["validate", flow])
        #expect(checked.status == 2)
        let target = URL(fileURLWithPath: world.python).resolvingSymlinksInPath().path
        let start = "unseen.yaml:7:5: error: tool server 'hx' (\(world.python) \(Self.script)) exited with code 127 "
        let why = "while starting; its stderr ended with:\n    | wfhost-worker: cannot run \(world.python) in the sandbox: "
        let link = "No such file or directory; it leads to \(target) "
        let visible = "(only the system directories, PATH, the command, its file arguments and the paths under "
        let caps = "capabilities read_paths and write_paths are visible)"
        let expected: String = start + why + link + visible + caps
        #expect(checked.stdout.contains(expected), "\(checked.stdout)")
    }
}
