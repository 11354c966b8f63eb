import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Schema
import Testing
import WfhostTestSupport

/// Exit codes that never lie, each through the real built `wfhost` (real files, real signals, a real `wfhost pause`
/// from another process): 3 for a report that cannot be written, 128+N for a signal, 4 for a paused run, 2 for a
/// missing plugin path, `status --exit-status`.
@Suite struct ExitCodeTests {
    /// A finished (or killed) `wfhost` child: status and what it wrote.
    struct Finished {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// A `wfhost` child started in `directory`, its output going to files there.
    struct Child {
        let process: Process
        let out: String, err: String

        /// Waits at most `seconds` for the child to end (then kills it and records an issue).
        func finish(within seconds: Double = 30) -> Finished {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning {
                Issue.record("wfhost \(process.processIdentifier) did not end within \(seconds) s; killing it")
                kill(process.processIdentifier, SIGKILL)
            }
            process.waitUntilExit()
            return Finished(status: process.terminationStatus,
                            stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "", // no file: nothing written
                            stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
        }
    }

    static func start(_ h: SessionHarness, _ args: [String]) throws -> Child {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TestSupport.wfhost)
        p.arguments = args
        p.environment = h.environment
        p.currentDirectoryURL = URL(fileURLWithPath: h.dir)
        let tag = UUID().uuidString.prefix(6)
        let out = h.dir + "/out-\(tag)", err = h.dir + "/err-\(tag)"
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        try p.run()
        return Child(process: p, out: out, err: err)
    }

    /// Runs `wfhost ARGS` in the harness directory to its end.
    static func run(_ h: SessionHarness, _ args: [String]) throws -> Finished {
        try start(h, args).finish()
    }

    struct NeverStarted: Error, CustomStringConvertible { var description: String }

    static func workflow(_ stages: String, name: String = "exit-codes") -> String {
        "apiVersion: orchestration/v1\nkind: Workflow\nmetadata: {name: \(name)}\nspec:\n  stages:\n" + stages
    }

    static let quick = workflow("    - {name: a, tools: [echo], args: {message: hi}}\n")
    static let failing = workflow("    - {name: a, tools: [fail], args: {message: broken}}\n")
    static let slow = workflow("    - {name: s0, tools: [sleep], args: {ms: 60000}}\n")

    /// The session id `wfhost run` printed first on stderr.
    static func session(_ stderr: String) -> String? {
        stderr.split(separator: "\n").first.flatMap { $0.hasPrefix("session ") ? String($0.dropFirst(8)) : nil }
    }

    // MARK: --junit

    @Test func junitCreatesMissingParentDirectories() throws {
        let h = try SessionHarness("exit-junit-dirs")
        defer { h.cleanup() }
        let file = try h.write("ok.yaml", Self.quick)
        let relative = try Self.run(h, ["run", file, "--quiet", "--junit", "reports/x.xml"])
        #expect(relative.status == 0, "\(relative.stderr)")
        let report = try String(contentsOfFile: h.dir + "/reports/x.xml", encoding: .utf8)
        #expect(report.contains("<testsuite") && report.contains("name=\"a\""))
        let nested = try Self.run(h, ["run", file, "--quiet", "--junit", h.dir + "/deep/er/x.xml"])
        #expect(nested.status == 0, "\(nested.stderr)")
        #expect(FileManager.default.fileExists(atPath: h.dir + "/deep/er/x.xml"))
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: h.dir + "/deep/er")).contains { $0.hasSuffix(".tmp") })
    }

    @Test func anUnwritableReportExits3AfterTheRunSayingWhy() throws {
        let h = try SessionHarness("exit-junit-unwritable")
        defer { h.cleanup() }
        let file = try h.write("ok.yaml", Self.quick)
        _ = try h.write("blocker", "a file where a directory should be\n")
        let r = try Self.run(h, ["run", file, "--junit", "blocker/x.xml"])
        #expect(r.status == 3)
        #expect(r.stderr.hasSuffix("wfhost: error: the JUnit report blocker/x.xml was not written: 'blocker' is not a directory (exit code 3)\n"),
                "\(r.stderr)")
        #expect(r.stdout.contains("STAGE"), "the run finished and printed its summary first")
        let s = try #require(Self.session(r.stderr))
        #expect(try h.statusJSON(s)["status"] == .string("succeeded"))

        // A failed run whose report cannot be written exits 3 too: the missing report is what CI must hear about.
        try FileManager.default.createDirectory(atPath: h.dir + "/taken.xml", withIntermediateDirectories: true)
        let failed = try Self.run(h, ["run", try h.write("fail.yaml", Self.failing), "--quiet", "--junit", h.dir + "/taken.xml"])
        #expect(failed.status == 3)
        #expect(failed.stderr.hasSuffix("wfhost: error: the JUnit report \(h.dir)/taken.xml was not written: '\(h.dir)/taken.xml' is a directory (exit code 3)\n"),
                "\(failed.stderr)")
    }

    // MARK: signals

    /// `wfhost run` of a 60 s stage gets `signal` once the stage runs: it cancels, prints the summary, writes the
    /// JUnit report and exits 128 + the signal's number.
    func signalledRun(_ signal: Int32, name: String) throws -> (Finished, SessionHarness, String) {
        let h = try SessionHarness("exit-" + name)
        let junit = h.dir + "/junit.xml"
        let child = try Self.start(h, ["run", try h.write("slow.yaml", Self.slow), "--junit", junit])
        guard let s = try h.waitForRunningStage("s0") else {
            kill(child.process.processIdentifier, SIGKILL)
            throw NeverStarted(description: "stage s0 never started: \(child.finish().stderr)")
        }
        #expect(kill(child.process.processIdentifier, signal) == 0)
        let r = child.finish()
        #expect(FileManager.default.fileExists(atPath: junit), "the JUnit report is written after \(name)")
        #expect(r.stdout.contains("STAGE"), "the summary is printed after \(name): \(r.stdout)")
        #expect(r.stderr.contains("wfhost: \(name): cancelling the run (press Ctrl-C again to stop at once)\n"), "\(r.stderr)")
        #expect(try h.statusJSON(s)["status"] == .string("cancelled"))
        return (r, h, s)
    }

    @Test func sigtermExits143() throws {
        let (r, h, _) = try signalledRun(SIGTERM, name: "SIGTERM")
        defer { h.cleanup() }
        #expect(r.status == 143)
    }

    @Test func sighupIsHandledLikeSigterm() throws {
        let (r, h, _) = try signalledRun(SIGHUP, name: "SIGHUP")
        defer { h.cleanup() }
        #expect(r.status == 129)
    }

    // MARK: pause

    @Test func anOperatorsPauseExits4() throws {
        let h = try SessionHarness("exit-pause")
        defer { h.cleanup() }
        let file = try h.write("pause.yaml", Self.workflow("""
                - {name: s0, tools: [sleep], args: {ms: 3000}}
                - {name: s1, depends_on: [s0], tools: [echo], args: {message: later}}

            """))
        let child = try Self.start(h, ["run", file, "--quiet"])
        let s = try #require(try h.waitForRunningStage("s0"))
        #expect(try h.wfhost(["pause", s]).status == 0)
        let r = child.finish()
        #expect(r.status == 4)
        #expect(r.stderr.hasSuffix("wfhost: session \(s) is paused (exit code 4); `wfhost resume \(s)` continues it\n"), "\(r.stderr)")
        let resumed = try Self.run(h, ["resume", s, "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
    }

    // MARK: plugins validate, status --exit-status

    @Test func pluginsValidateOfAMissingPathExits2() throws {
        let h = try SessionHarness("exit-validate")
        defer { h.cleanup() }
        let missing = try Self.run(h, ["plugins", "validate", "/nonexistent"])
        #expect(missing.status == 2)
        #expect(missing.stdout == "/nonexistent: error: cannot read the file: No such file or directory\n"
                    + "  hint: check the path; `wfhost plugins list` shows the plugin path\n", "\(missing.stdout)")
        let mixed = try Self.run(h, ["plugins", "validate", h.plugins + "/core.so", "/nonexistent"])
        #expect(mixed.status == 2, "a missing path is invalid input even beside a valid plugin")
        #expect(mixed.stdout.contains("core.so: ok: plugin 'core'"))
        let notAPlugin = try h.write("bogus.so", "not an ELF file\n")
        #expect(try Self.run(h, ["plugins", "validate", notAPlugin]).status == 1)
        #expect(try Self.run(h, ["plugins", "validate", h.plugins + "/core.so"]).status == 0)
    }

    @Test func statusExitStatusIsOneForAFailedSession() throws {
        let h = try SessionHarness("exit-status")
        defer { h.cleanup() }
        let failed = try Self.run(h, ["run", try h.write("fail.yaml", Self.failing), "--quiet"])
        #expect(failed.status == 1)
        let f = try #require(Self.session(failed.stderr))
        #expect(try Self.run(h, ["status", f, "--exit-status"]).status == 1)
        #expect(try Self.run(h, ["status", f, "--exit-status", "--json"]).status == 1)
        #expect(try Self.run(h, ["status", f]).status == 0, "without --exit-status, status reports and exits 0")
        let ok = try Self.run(h, ["run", try h.write("ok.yaml", Self.quick), "--quiet"])
        let s = try #require(Self.session(ok.stderr))
        #expect(try Self.run(h, ["status", s, "--exit-status"]).status == 0)
    }

    // MARK: The state directory

    /// A state directory that cannot be created is exit 3 with the system's reason, not Foundation's boilerplate.
    @Test func aStateDirectoryThatCannotBeCreatedExits3WithTheReason() throws {
        let h = try SessionHarness("exit-statedir")
        defer { h.cleanup() }
        let file = try h.write("quick.yaml", Self.quick)
        let blocker = try h.write("not-a-dir", "")
        var env = h.environment
        env["WFHOST_STATE_DIR"] = blocker + "/state"
        let r = try TestSupport.run(TestSupport.wfhost, ["run", file, "--quiet"], environment: env)
        #expect(r.status == 3)
        #expect(r.stderr == """
            wfhost: error: cannot create the state directory \(blocker)/state: Not a directory (at \(blocker))
              hint: pass a writable directory with --state-dir or WFHOST_STATE_DIR

            """, "\(r.stderr)")
    }

    /// A disk that fills during a run (a 500 KiB tmpfs in a private mount namespace, filled by a stage's 600 KB
    /// output) is exit 3, saying what to do; the work did not fail, the machine did.
    @Test func aDiskThatFillsDuringARunExits3() throws {
        let h = try SessionHarness("exit-full")
        defer { h.cleanup() }
        let file = try h.write("big.yaml", Self.workflow("""
                - {name: a, tools: [{name: shell, args: {argv: [sh, -c, "head -c 600000 /dev/zero | tr '\\\\0' x"]}}]}
                - {name: b, depends_on: [a], tools: [{name: echo, args: {message: after}}]}

            """))
        let tiny = h.dir + "/tiny"
        try FileManager.default.createDirectory(atPath: tiny, withIntermediateDirectories: true)
        var env = h.environment
        env["WFHOST_STATE_DIR"] = tiny + "/state"
        let script = "mount -t tmpfs -o size=500k tmpfs '\(tiny)' || exit 99; exec '\(TestSupport.wfhost)' run '\(file)' --quiet"
        let r = try TestSupport.run("/usr/bin/unshare", ["--user", "--map-root-user", "--mount", "sh", "-c", script],
                                    environment: env)
        guard r.status != 99, !r.stderr.contains("unshare failed") else {
            print("skipped: no private mount namespace here (\(r.stderr))")
            return
        }
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("wfhost: error: the state database cannot be written (SQLite error 13: database or "
                                  + "disk is full (in `COMMIT`)), so the run stops: nothing may run without being "
                                  + "recorded; free space on the state directory's file system (or fix its "
                                  + "permissions), then `wfhost resume SESSION` continues (exit code 3)"), "\(r.stderr)")
    }

    @Test func rootHelpListsTheExitCodes() throws {
        let h = try SessionHarness("exit-help")
        defer { h.cleanup() }
        let r = try Self.run(h, ["--help"])
        #expect(r.status == 0)
        let text = r.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("""
            Exit codes: 0 success; 1 the work ran and failed; 2 invalid input or usage (a missing file, a bad workflow, \
            option or session id); 3 environment or internal error (also a --junit report that could not be written, \
            and a state database that was removed, replaced or damaged); \
            4 the run was paused by `wfhost pause` (`wfhost resume` continues it); 128+N stopped by signal N: 130 SIGINT \
            (Ctrl-C), 143 SIGTERM, 129 SIGHUP (each cancels running calls and still writes the summary and reports).
            """), "\(r.stdout)")
    }
}
