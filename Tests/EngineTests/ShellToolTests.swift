import Foundation
import Schema
import Testing

/// `core.shell` fails on a non-zero exit, as a CI step does (code `nonzero_exit`, class `tool_error`, the exit code
/// and the last lines of stderr in the message); `check: false` returns the exit code as data. Through the built
/// `wfhost` and the built core plugin.
@Suite struct ShellToolTests {
    /// `wfhost call shell --json` with `argv` (and more arguments), returning the status and the parsed document.
    static func call(_ h: EngineHarness, _ argv: [String], extra: String = "") throws -> (Int32, JSONValue) {
        let args = #"{"argv":"# + JSONValue.array(argv.map { .string($0) }).serialized() + extra + "}"
        let r = try h.cli(["call", "shell", "--json", "--args", args])
        return (r.status, try JSONValue.parse(r.stdout))
    }

    @Test func nonZeroExitFailsWithTheCodeAndTheStderrTail() throws {
        let h = try EngineHarness("shell-exit")
        defer { h.cleanup() }
        let (status, doc) = try Self.call(h, ["sh", "-c", "echo out; echo first >&2; echo 'second line' >&2; exit 3"])
        #expect(status == 1)
        #expect(doc["ok"] == .bool(false))
        #expect(doc["error"]?["error_type"] == .string("tool_error"))
        #expect(doc["error"]?["code"] == .string("nonzero_exit"))
        #expect(doc["error"]?["retryable"] == .bool(false))
        #expect(doc["error"]?["message"] == .string("'sh' exited with code 3; the last lines of its stderr:\nfirst\nsecond line"))
    }

    @Test func theConsoleShowsTheMessage() throws {
        let h = try EngineHarness("shell-console")
        defer { h.cleanup() }
        let r = try h.cli(["call", "shell", "--args", #"{"argv":["sh","-c","echo 'cc: error: x.c: No such file' >&2; exit 1"]}"#])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("""
            error: core.shell failed: tool_error: 'sh' exited with code 1; the last lines of its stderr:
            cc: error: x.c: No such file
            """), "\(r.stderr)")
    }

    @Test func onlyTheLastTenLinesAreQuoted() throws {
        let h = try EngineHarness("shell-tail")
        defer { h.cleanup() }
        let (_, doc) = try Self.call(h, ["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do echo line$i >&2; done; exit 7"])
        let expected = "'sh' exited with code 7; the last lines of its stderr:\n"
            + (6...15).map { "line\($0)" }.joined(separator: "\n")
        #expect(doc["error"]?["message"] == .string(expected))
    }

    @Test func theTailIsTheEndOfAnOverlongStderr() throws {
        let h = try EngineHarness("shell-long")
        defer { h.cleanup() }
        // More than the 4 MiB the tool keeps per stream: the quoted tail is still the end, whole lines only.
        let script = "{ head -c 5000000 /dev/zero | tr '\\0' x; echo; echo 'the real error'; } >&2; exit 4"
        let (_, doc) = try Self.call(h, ["sh", "-c", script])
        #expect(doc["error"]?["message"] == .string("'sh' exited with code 4; the last lines of its stderr:\nthe real error"))
    }

    @Test func silentFailureAndSignal() throws {
        let h = try EngineHarness("shell-silent")
        defer { h.cleanup() }
        let (status, doc) = try Self.call(h, ["false"])
        #expect(status == 1)
        #expect(doc["error"]?["message"] == .string("'false' exited with code 1 (it wrote nothing on stderr)"))
        let (_, killed) = try Self.call(h, ["sh", "-c", "echo dying >&2; kill -TERM $$"])
        #expect(killed["error"]?["code"] == .string("nonzero_exit"))
        #expect(killed["error"]?["message"] == .string("'sh' was killed by signal 15 (Terminated); the last lines of its stderr:\ndying"))
    }

    @Test func checkFalseReturnsTheExitCodeAsData() throws {
        let h = try EngineHarness("shell-nocheck")
        defer { h.cleanup() }
        let (status, doc) = try Self.call(h, ["sh", "-c", "echo out; echo err >&2; exit 3"], extra: #","check":false"#)
        #expect(status == 0)
        #expect(doc["ok"] == .bool(true))
        let result = doc["result"]
        #expect(result?["exit_code"] == .int(3))
        #expect(result?["stdout"] == .string("out\n"))
        #expect(result?["stderr"] == .string("err\n"))
        let (okStatus, ok) = try Self.call(h, ["true"])
        #expect(okStatus == 0)
        #expect(ok["result"]?["exit_code"] == .int(0))
    }

    @Test func checkIsInTheInputSchema() throws {
        let h = try EngineHarness("shell-schema")
        defer { h.cleanup() }
        let r = try h.cli(["call", "shell", "--args", #"{"argv":["true"],"check":"no"}"#])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/check: \"no\" is not of type boolean"), "\(r.stderr)")
    }

    /// A failing command makes a red stage in a run and in JUnit; `check: false` keeps a green one.
    @Test func aFailingCommandIsARedStage() throws {
        let h = try EngineHarness("shell-run")
        defer { h.cleanup() }
        let junit = h.root + "/junit.xml"
        let file = try h.write("""
            error_policy: {mode: continue}
            stages:
              - {name: build, tools: [shell], args: {argv: [sh, -c, "echo 'main.c:3: error' >&2; exit 2"]}}
              - {name: probe, tools: [shell], args: {argv: [sh, -c, "exit 5"], check: false}}
            """)
        let r = try h.cli(["run", file, "--quiet", "--junit", junit])
        #expect(r.status == 1, "\(r.stderr)")
        let parsed = try JUnitReader.read(junit)
        let build = try #require(parsed.cases.first { $0.name == "build" })
        #expect(build.failureType == "tool_error")
        // (The line break reads back as a space until the JUnit writer escapes it as &#10;.)
        let message = build.failureMessage ?? ""
        #expect(message.hasPrefix("'sh' exited with code 2; the last lines of its stderr:") && message.hasSuffix("main.c:3: error"),
                "\(message)")
        let probe = try #require(parsed.cases.first { $0.name == "probe" })
        #expect(probe.failureMessage == nil && !probe.skipped)
    }
}
