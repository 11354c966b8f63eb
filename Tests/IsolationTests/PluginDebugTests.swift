import Foundation
import Testing
import WfhostTestSupport

// Inside IsolationTests (serialized): the printed commands start workers as this process's children, which the
// other isolation tests count.
extension IsolationTests {
/// `wfhost plugins debug` (issue 15 item 7): the worker of a call or a load, as wfhost starts it, printed as a
/// command that runs, or run under gdb, whose backtrace names the plugin's function.
@Suite(.serialized) struct PluginDebugTests {
    static let gdb = ["/usr/bin/gdb", "/usr/local/bin/gdb"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test func thePrintedCommandServesTheCallAsWfhostWould() throws {
        let env = try Env("debug")
        let r = try env.wfhost(["plugins", "debug", "core", "--tool", "echo", "--args", #"{"message":"by hand"}"#])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 4, "\(r.stdout)")
        #expect(lines[0].hasPrefix("# the worker of a call of core.echo, as wfhost starts it; its events go to \(env.state)/debug/"))
        #expect(lines[1].contains(" serve \(env.plugins)/core.so --mem-mb 1024 --cpu-s 0 --nofile 1024 "
                                  + "--max-result 16777216 --work-dir \(env.state)/work/debug-"), "\(lines[1])")
        #expect(lines[1].contains(" --sandbox on --network 0 --hide \(env.state) 3<\(env.state)/debug/"), "\(lines[1])")
        #expect(!lines[1].contains("WFHOST_PARENT_PID"))
        #expect(lines[2] == "# the same under gdb (it follows the worker into its sandbox):")
        #expect(lines[3].contains(" gdb -q -ex 'set follow-fork-mode child' -ex 'run serve \(env.plugins)/core.so "))
        // The command runs: the worker serves the call from the request file and writes its events.
        let events = String(lines[0].split(separator: " ").last ?? "")
        let run = try TestSupport.run("/bin/sh", ["-c", lines[1]])
        #expect(run.status == 0, "\(run.stderr)")
        let written = try String(decoding: Data(contentsOf: URL(fileURLWithPath: events)), as: UTF8.self)
        #expect(written.contains(#""message":"by hand""#), "\(written)")
    }

    @Test func gdbShowsTheCrashingToolsFrame() throws {
        guard Self.gdb != nil else {
            print("PluginDebugTests: SKIPPED the gdb backtrace: gdb is not installed (apt-get install gdb)")
            return
        }
        let env = try Env("debug-gdb")
        let r = try env.wfhost(["plugins", "debug", "chaos", "--tool", "segfault", "--gdb"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("wfhost: running the worker of a call of chaos.segfault under gdb\n"), "\(r.stderr)")
        #expect(r.stdout.contains("received signal SIGSEGV"), "\(r.stdout)")
        #expect(r.stdout.contains("#0  ") && r.stdout.contains(" in tool_segfault ("), "\(r.stdout)")
    }

    @Test func gdbShowsAConstructorThatCrashesWhileLoading() throws {
        guard Self.gdb != nil else {
            print("PluginDebugTests: SKIPPED the gdb backtrace: gdb is not installed (apt-get install gdb)")
            return
        }
        let env = try Env("debug-load")
        let so = env.dir + "/crashy.so"
        try TestSupport.compileFixture("plugin.c", to: so, defines: ["CTOR_SEGV"], extra: ["-g"])
        let r = try env.wfhost(["plugins", "debug", so, "--gdb"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("wfhost: running the worker of loading \(so) under gdb\n"), "\(r.stderr)")
        #expect(r.stdout.contains(" in on_load () at \(TestSupport.repoRoot)/Tests/RegistryTests/Fixtures/plugin.c:"),
                "\(r.stdout)")
        // The crash hint names the command.
        let validate = try env.wfhost(["plugins", "validate", so])
        #expect(validate.stdout.contains("faulted; `wfhost plugins debug \(so) --gdb` loads it under gdb and prints "
                                         + "the backtrace"), "\(validate.stdout)")
    }

    @Test func unknownPluginsToolsAndBadArgumentsAreNamed() throws {
        let env = try Env("debug-errors")
        let unknown = try env.wfhost(["plugins", "debug", "nosuch"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "error: no plugin file or plugin named 'nosuch'\n"
                    + "  hint: give the plugin's file, or a name `wfhost plugins list` shows\n")
        let tool = try env.wfhost(["plugins", "debug", "chaos", "--tool", "nosuch"])
        #expect(tool.status == 2)
        #expect(tool.stderr.hasPrefix("error: the plugin \(env.plugins)/chaos.so has no tool 'nosuch'\n  hint: its tools: "),
                "\(tool.stderr)")
        let args = try env.wfhost(["plugins", "debug", "core", "--tool", "echo", "--args", "{}"])
        #expect(args.status == 2)
        #expect(args.stderr.hasPrefix("error: the arguments do not match core.echo's input schema:\n"), "\(args.stderr)")
        let notJSON = try env.wfhost(["plugins", "debug", "core", "--tool", "echo", "--args", "{"])
        #expect(notJSON.status == 2)
        #expect(notJSON.stderr.hasPrefix("error: --args is not JSON: "), "\(notJSON.stderr)")
        let alone = try env.wfhost(["plugins", "debug", "core", "--args", "{}"])
        #expect(alone.status == 2)
        #expect(alone.stderr.hasPrefix("Error: --args needs --tool\n"), "\(alone.stderr)")
    }
}
}
