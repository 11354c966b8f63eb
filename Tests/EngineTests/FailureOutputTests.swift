import Foundation
import Schema
import Testing
import WfhostTestSupport

/// What a failed stage said, wherever a CI user looks: under the summary on the console, in JUnit, in
/// `status --json`, in `wfhost logs` and in the GitHub step summary. The tools are the `noisy` fixture plugin's
/// (Fixtures/noisy.c), which print on stdout and stderr, log and fail like a compiler.
@Suite struct FailureOutputTests {
    /// A harness whose plugin path also holds the `noisy` plugin.
    static func harness(_ label: String) throws -> EngineHarness {
        let h = try EngineHarness(label)
        try TestSupport.compileFixture(TestSupport.repoRoot + "/Tests/EngineTests/Fixtures/noisy.c", to: h.pluginDir + "/noisy.so")
        return h
    }

    static let failing = """
        error_policy: {mode: continue}
        variables: {file: main.c}
        stages:
          - {name: build, tools: [compile], args: {file: "${file}", token: "${token}"}}
          - {name: flaky, tools: [settle], retry_policy: {max_attempts: 2, initial_delay: 10ms}}
          - {name: after, depends_on: [build], tools: [echo], args: {message: x}}
        """

    /// The session id a run printed first on stderr.
    static func session(_ stderr: String) -> String {
        let first = stderr.split(separator: "\n").first.map(String.init) ?? ""
        return first.hasPrefix("session ") ? String(first.dropFirst("session ".count)) : ""
    }

    static let buildBlock = """
        stage build failed: tool_error: compilation failed (see output)
          log of noisy.compile, attempt 1:
            info: compiling main.c
            warning: 1 error generated
          stdout of noisy.compile, attempt 1:
            cc -c main.c
            progress line 1
            progress line 2
            progress line 3
          stderr of noisy.compile, attempt 1:
            main.c:3:5: error: expected ';' before '<' & "x" | y
        """

    @Test func theConsoleShowsWhatAFailedStageSaidUnderTheSummary() throws {
        let h = try Self.harness("fail-console")
        defer { h.cleanup() }
        var env = h.environment
        env["TOKEN"] = "hunter2-secret"
        let r = try TestSupport.run(TestSupport.wfhost, ["run", try h.write(Self.failing), "--quiet", "--secret", "token=env:TOKEN"],
                                    environment: env)
        #expect(r.status == 1, "\(r.stderr)")
        let id = Self.session(r.stderr)
        let expected = Self.buildBlock + "\n  all of it: wfhost logs \(id) build\n"
        #expect(r.stdout.hasSuffix("\n\n" + expected), "\(r.stdout)")
        #expect(!r.stdout.contains("hunter2"))
        // Only failed stages get a block: the flaky stage passed on its second attempt.
        #expect(!r.stdout.contains("stage flaky failed"))
    }

    @Test func aLongOutputShowsItsLastLinesAndSaysHowManyThereWere() throws {
        let h = try Self.harness("fail-long")
        defer { h.cleanup() }
        let r = try h.cli(["run", try h.write("stages: [{name: build, tools: [compile], args: {lines: 30}}]"), "--quiet"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("  stdout of noisy.compile, attempt 1, last 20 of 31 lines:\n    progress line 11\n"), "\(r.stdout)")
        #expect(!r.stdout.contains("progress line 10\n"))
        #expect(r.stdout.contains("    progress line 30\n  stderr of noisy.compile, attempt 1:\n"))
    }

    @Test func statusJSONAttemptsCarryTimesArgumentsTailsAndWorkDirectory() throws {
        let h = try Self.harness("fail-status")
        defer { h.cleanup() }
        var env = h.environment
        env["TOKEN"] = "hunter2-secret"
        let run = try TestSupport.run(TestSupport.wfhost, ["run", try h.write(Self.failing), "--quiet", "--secret", "token=env:TOKEN"],
                                      environment: env)
        let id = Self.session(run.stderr)
        let r = try h.cli(["status", id, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stdout.contains("hunter2"))
        let doc = try EngineSupport.json(r.stdout)
        let attempts = try #require(doc["attempts"]?.arrayValue)
        let build = try #require(attempts.first { $0["stage"] == .string("build") })
        #expect(build["arguments"] == .object(["file": .string("main.c"), "token": .string("***")]))
        #expect(build["stdout_tail"] == .string("cc -c main.c\nprogress line 1\nprogress line 2\nprogress line 3\n"))
        #expect(build["stderr_tail"] == .string("main.c:3:5: error: expected ';' before '<' & \"x\" | y\n"))
        #expect(build["log"]?.arrayValue?.compactMap { $0["message"]?.stringValue } == ["compiling main.c", "1 error generated"])
        #expect(build["log"]?.arrayValue?.compactMap { $0["level"]?.stringValue } == ["info", "warning"])
        let started = try #require(build["started_at"]?.doubleValue)
        let finished = try #require(build["finished_at"]?.doubleValue)
        #expect(started > 1_600_000_000 && finished >= started)
        #expect(build["duration_ms"]?.intValue.map { $0 >= 0 } == true)
        let workDir = try #require(build["work_dir"]?.stringValue)
        #expect(workDir.hasPrefix(h.stateDir + "/work/session-\(id)"))
        #expect(FileManager.default.fileExists(atPath: workDir))
        let flaky = attempts.filter { $0["stage"] == .string("flaky") }
        #expect(flaky.compactMap { $0["status"]?.stringValue } == ["failed", "succeeded"])
        #expect(flaky.first?["stderr_tail"] == .string("attempt 1 is flaky\n"))
    }

    @Test func logsPrintsAStagesLinesAttemptByAttempt() throws {
        let h = try Self.harness("fail-logs")
        defer { h.cleanup() }
        let run = try h.cli(["run", try h.write(Self.failing.replacingOccurrences(of: ", token: \"${token}\"", with: "")), "--quiet"])
        let id = Self.session(run.stderr)
        let build = try h.cli(["logs", id, "build"])
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stdout == """
            --- build, attempt 1 (noisy.compile)
            log    info: compiling main.c
            log    warning: 1 error generated
            stdout cc -c main.c
            stdout progress line 1
            stdout progress line 2
            stdout progress line 3
            stderr main.c:3:5: error: expected ';' before '<' & "x" | y
            status failed: tool_error: compilation failed (see output)

            """)
        let second = try h.cli(["logs", id, "flaky", "--attempt", "2"])
        #expect(second.stdout == "--- flaky, attempt 2 (noisy.settle)\nstdout settled\nstatus succeeded\n", "\(second.stdout)")
        let json = try EngineSupport.json(try h.cli(["logs", id, "flaky", "--json"]).stdout)
        let attempts = try #require(json["attempts"]?.arrayValue)
        #expect(attempts.compactMap { $0["stderr"]?.stringValue } == ["attempt 1 is flaky\n", ""])
        #expect(json["session_id"] == .string(id))

        let skipped = try h.cli(["logs", id, "after"])
        #expect(skipped.status == 0)
        #expect(skipped.stdout.hasPrefix("stage after has made no attempts (skipped"), "\(skipped.stdout)")
        let unknown = try h.cli(["logs", id, "biuld"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "error: session \(id) has no stage 'biuld'\n  hint: did you mean 'build'?\n", "\(unknown.stderr)")
        let noAttempt = try h.cli(["logs", id, "flaky", "--attempt", "3"])
        #expect(noAttempt.status == 2)
        #expect(noAttempt.stderr == "error: stage flaky of session \(id) has no attempt 3\n  hint: its attempts: 1, 2\n", "\(noAttempt.stderr)")
        let noSession = try h.cli(["logs", "nope"])
        #expect(noSession.status == 2)
        #expect(noSession.stderr.hasPrefix("error: no session 'nope' in "), "\(noSession.stderr)")
    }

    /// `--follow` prints lines as they arrive and returns when the session ends.
    @Test func logsFollowEndsWithTheSession() throws {
        let h = try Self.harness("fail-follow")
        defer { h.cleanup() }
        let file = try h.write("""
            stages:
              - {name: wait, tools: [sleep], args: {ms: 1500}}
              - {name: build, depends_on: [wait], tools: [compile]}
            """)
        let runner = Process()
        runner.executableURL = URL(fileURLWithPath: TestSupport.wfhost)
        runner.arguments = ["run", file, "--quiet"]
        runner.environment = h.environment
        let err = Pipe()
        runner.standardError = err
        runner.standardOutput = FileHandle.nullDevice
        try runner.run()
        // The session id is the first line the run writes.
        var first = Data()
        while !first.contains(UInt8(ascii: "\n")) {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            first.append(chunk)
        }
        let id = Self.session(String(decoding: first, as: UTF8.self))
        let follow = try h.cli(["logs", id, "--follow"])
        runner.waitUntilExit()
        #expect(follow.status == 0, "\(follow.stderr)")
        #expect(follow.stdout.hasPrefix("--- wait, attempt 1 (chaos.sleep)\nstatus succeeded\n--- build, attempt 1 (noisy.compile)\nlog    info: compiling main.c\n"),
                "\(follow.stdout)")
        #expect(follow.stdout.hasSuffix("status failed: tool_error: compilation failed (see output)\n"))
    }

    @Test func theStepSummaryHasEachFailureInADetailsBlockEscaped() throws {
        let h = try Self.harness("fail-summary")
        defer { h.cleanup() }
        let summary = h.root + "/summary.md"
        var env = h.environment
        env["GITHUB_STEP_SUMMARY"] = summary
        let file = try h.write("stages: [{name: \"b<i>|x\", tools: [compile]}]")
        let r = try TestSupport.run(TestSupport.wfhost, ["run", file, "--quiet"], environment: env)
        #expect(r.status == 1)
        let md = try String(contentsOfFile: summary, encoding: .utf8)
        #expect(md.contains("| b&lt;i&gt;\\|x | failed | 1 |"), "\(md)")
        #expect(md.contains("""
            <details><summary>b&lt;i&gt;|x failed: tool_error: compilation failed (see output)</summary>

            <pre>tool_error: compilation failed (see output)

            log of noisy.compile, attempt 1:
            info: compiling main.c
            warning: 1 error generated

            stdout of noisy.compile, attempt 1:
            cc -c main.c
            progress line 1
            progress line 2
            progress line 3

            stderr of noisy.compile, attempt 1:
            main.c:3:5: error: expected &#39;;&#39; before &#39;&lt;&#39; &amp; &quot;x&quot; | y
            </pre>

            </details>
            """), "\(md)")
        #expect(md.contains("s0[\"b&lt;i&gt;|x<br/>failed"))
    }

    /// A step summary that is a pipe (not seekable) is written, and the run ends normally.
    @Test func aStepSummaryPipeIsWritten() throws {
        let h = try Self.harness("fail-pipe")
        defer { h.cleanup() }
        let fifo = h.root + "/summary.fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        nonisolated(unsafe) var read = Data()
        let done = DispatchSemaphore(value: 0)
        let reader = Thread {
            if let handle = FileHandle(forReadingAtPath: fifo) { read = handle.readDataToEndOfFile() }
            done.signal()
        }
        reader.start()
        var env = h.environment
        env["GITHUB_STEP_SUMMARY"] = fifo
        let r = try TestSupport.run(TestSupport.wfhost, ["run", try h.write("stages: [{name: a, tools: [echo], args: {message: hi}}]"), "--quiet"],
                                    environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(done.wait(timeout: .now() + 30) == .success)
        #expect(String(decoding: read, as: UTF8.self).hasPrefix("### wfhost: engine-test — succeeded"))
    }
}

/// Under GitHub Actions (`GITHUB_ACTIONS=true`) each stage's lines are one `::group::` block, and each failed
/// stage is an `::error` annotation at its place in the workflow file.
@Suite struct GitHubActionsTests {
    @Test func stagesAreGroupedAndFailuresAnnotatedAtTheirLocation() throws {
        let h = try FailureOutputTests.harness("gha")
        defer { h.cleanup() }
        let file = try h.write("""
            error_policy: {mode: continue}
            stages:
              - {name: ok, tools: [echo], args: {message: hi}}
              - {name: "x,y:z%", tools: [fail], args: {message: "50% broken\\nsee log"}}
            """)
        var env = h.environment
        env["GITHUB_ACTIONS"] = "true"
        let r = try TestSupport.run(TestSupport.wfhost, ["run", file], environment: env)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("""
            ::group::stage ok: succeeded
            stage ok: started
            stage ok: succeeded in
            """), "\(r.stderr)")
        #expect(r.stderr.contains("""
            ::group::stage x,y:z%25: failed
            stage x,y:z%: started
            stage x,y:z%: failed in
            """), "\(r.stderr)")
        #expect(r.stderr.components(separatedBy: "::endgroup::\n").count == 3, "one end per group")
        #expect(r.stderr.hasSuffix("""
            ::error file=\(file),line=8,col=7,title=stage x%2Cy%3Az%25 failed::tool_error: 50%25 broken%0Asee log\n
            """), "\(r.stderr)")
        #expect(!r.stderr.contains("\u{1B}["), "no terminal escapes in CI")

        // Without GITHUB_ACTIONS: neither groups nor annotations.
        let plain = try h.cli(["run", file])
        #expect(!plain.stderr.contains("::group::") && !plain.stderr.contains("::error"))
    }
}
