import Engine
import Foundation
import Isolation
import Spec
import Testing
import WfhostTestSupport

/// The built `wfhost` refuses a secret on argv and numbers beyond their bounds, with exit code 2 and the exact text.
@Suite struct SecretAndLimitCLITests {
    func cli(_ h: EngineHarness, _ arguments: [String], extra: [String: String] = [:]) throws -> TestSupport.RunResult {
        try TestSupport.run(TestSupport.wfhost, arguments, environment: h.environment.merging(extra) { $1 })
    }

    static let echo = "stages: [{name: a, tools: [{name: echo, args: {message: \"t=${token}\"}}]}]"

    @Test func aSecretValueOnTheCommandLineIsAUsageError() throws {
        let h = try EngineHarness("secret-argv")
        defer { h.cleanup() }
        let out = try cli(h, ["run", try h.write(Self.echo), "--secret", "token=Argv-Secret-99", "--quiet"])
        #expect(out.status == 2)
        #expect(out.stderr.hasPrefix("""
            Error: --secret token=... puts the secret's value on the command line, which every local user can read \
            (ps, /proc/PID/cmdline)
              hint: export it and pass its name: `--secret NAME` reads the environment variable NAME, \
            `--secret NAME=env:VAR` reads VAR; or list name=value lines in a file only you can read and pass \
            --secret-file FILE
            """), "\(out.stderr)")
        #expect(!out.stderr.contains("Argv-Secret-99"))
        #expect(try h.store().sessions(status: nil, workflow: nil).isEmpty, "nothing ran")
    }

    @Test func secretsFromTheEnvironmentAndAFileAreMasked() throws {
        let h = try EngineHarness("secret-env")
        defer { h.cleanup() }
        let file = try h.write(Self.echo)
        let fromEnv = try cli(h, ["run", file, "--secret", "token", "--json"], extra: ["token": "Env-Secret-4242"])
        #expect(fromEnv.status == 0, "\(fromEnv.stderr)")
        #expect(fromEnv.stdout.contains(#""message": "t=***""#), "\(fromEnv.stdout)")
        #expect(!fromEnv.stdout.contains("Env-Secret-4242") && !fromEnv.stderr.contains("Env-Secret-4242"))

        let secretFile = h.root + "/secrets.env"
        try "# for the test\n\ntoken = File-Secret-7777\n".write(toFile: secretFile, atomically: true, encoding: .utf8)
        let fromFile = try cli(h, ["run", file, "--secret-file", secretFile, "--json"])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(!fromFile.stdout.contains("File-Secret-7777") && fromFile.stdout.contains("t=***"))
    }

    @Test func environmentAndFileProblemsAreExitCodeTwo() throws {
        let h = try EngineHarness("secret-missing")
        defer { h.cleanup() }
        let file = try h.write(Self.echo)
        let missing = try cli(h, ["run", file, "--secret", "token=env:WFH_NOT_SET", "--quiet"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "error: --secret token=env:WFH_NOT_SET: the environment variable WFH_NOT_SET is not set\n"
                + "  hint: set it before running (`export WFH_NOT_SET=...`, or from your CI's secret store), or give the "
                + "secret with --secret-file FILE\n")
        let short = try cli(h, ["run", file, "--secret", "token", "--quiet"], extra: ["token": "e"])
        #expect(short.status == 2)
        #expect(short.stderr.hasPrefix("error: the secret 'token' from the environment variable token is 1 character long; "
                                       + "secrets shorter than 4 characters are refused\n"), "\(short.stderr)")
        let secretFile = h.root + "/bad.env"
        try "token=Fine-Secret-1\nnot a pair\n".write(toFile: secretFile, atomically: true, encoding: .utf8)
        let malformed = try cli(h, ["run", file, "--secret-file", secretFile, "--quiet"])
        #expect(malformed.status == 2)
        #expect(malformed.stderr == "error: \(secretFile):2: not a name=value line\n  hint: write one secret per line as "
                + "name=value; blank lines and lines starting with # are ignored\n")
    }

    @Test func resumeAsksForSecretsByName() throws {
        let h = try EngineHarness("secret-resume")
        defer { h.cleanup() }
        let file = try h.write("""
            error_policy: {mode: continue}
            stages: [{name: a, tools: [{name: fail, args: {message: "no ${token}"}}]}]
            """)
        let run = try cli(h, ["run", file, "--secret", "token", "--json"], extra: ["token": "Resume-Secret-1"])
        #expect(run.status == 1, "\(run.stderr)")
        let session = try #require(try EngineSupport.json(run.stdout)["session_id"]?.stringValue)
        let resume = try cli(h, ["resume", session, "--quiet"])
        #expect(resume.status == 2)
        #expect(resume.stderr.contains("error: session \(session) was run with the secret(s) token, which are never stored\n"
                                       + "  hint: pass them again from the environment: --secret token reads the "
                                       + "variables of those names (or give them in a --secret-file FILE)"), "\(resume.stderr)")
    }

    @Test func numbersOnTheCommandLineHaveTheSameBounds() throws {
        let h = try EngineHarness("limits-cli")
        defer { h.cleanup() }
        let file = try h.write(Self.echo)
        let concurrency = try cli(h, ["run", file, "--max-concurrency", "5000"])
        #expect(concurrency.status == 2)
        #expect(concurrency.stderr.hasPrefix("Error: --max-concurrency must be at most 4096, not 5000 (allowed: 1 to 4096)\n"),
                "\(concurrency.stderr)")
        let memory = try cli(h, ["call", "echo", "--memory-mb", "36028797018964992"])
        #expect(memory.status == 2)
        #expect(memory.stderr.hasPrefix("Error: --memory-mb must be at most 1048576, not 36028797018964992 "
                                        + "(allowed: 16 to 1048576 MiB (1 TiB), or 0 for no limit)\n"), "\(memory.stderr)")
        let timeout = try cli(h, ["call", "echo", "--timeout", "31d"])
        #expect(timeout.status == 2)
        #expect(timeout.stderr.hasPrefix("Error: --timeout must be at most 720h, not 744h "
                                         + "(allowed: more than 0s, at most 720h (30 days))\n"), "\(timeout.stderr)")
        let cpu = try cli(h, ["call", "echo", "--cpu-seconds=-1"])
        #expect(cpu.status == 2)
        #expect(cpu.stderr.hasPrefix("Error: --cpu-seconds must be at least 0, not -1 "
                                     + "(allowed: 0 to 2592000 seconds (30 days); 0 for no limit)\n"), "\(cpu.stderr)")
        let result = try cli(h, ["call", "echo", "--max-result-bytes", "2000000000"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("Error: --max-result-bytes must be at most 1073741824, not 2000000000 "
                                        + "(allowed: 1 to 1073741824 bytes (1 GiB))\n"), "\(result.stderr)")
        let overflowing = try h.write("stages: [{name: a, tools: [{name: echo, memory_mb: 36028797018964992, args: {message: x}}]}]",
                                      name: "overflow.yaml")
        let validate = try cli(h, ["validate", overflowing])
        #expect(validate.status == 2)
        #expect(validate.stdout.contains("overflow.yaml:5:54: error: `memory_mb` must be at most 1048576, not 36028797018964992\n"
                                         + "  hint: allowed: 16 to 1048576 MiB (1 TiB)") || validate.stderr.contains(
                                            "overflow.yaml:5:54: error: `memory_mb` must be at most 1048576, not 36028797018964992"),
                "\(validate.stdout)\(validate.stderr)")
        let ran = try cli(h, ["run", overflowing, "--quiet"])
        #expect(ran.status == 2, "the host refuses the file instead of dying of SIGILL: \(ran.stderr)")
    }
}

/// Arithmetic on the bounded numbers saturates instead of trapping.
@Suite struct LimitArithmeticTests {
    @Test func exponentialBackoffSaturatesAtTheLongestDelay() {
        var policy = RetryPolicy.defaults(at: SourceLocation(file: "f", line: 1, column: 1))
        policy.backoff = .exponential
        policy.initialDelay = Limits.delay.longest
        policy.multiplier = Limits.multiplier.range.upperBound
        policy.maxDelay = nil
        #expect(Backoff.delay(after: Limits.maxAttempts.range.upperBound, policy: policy, random: 0.5) == .seconds(86_400))
        policy.jitter = .full
        #expect(Backoff.delay(after: 999, policy: policy, random: 0.5) == .seconds(43_200))
        #expect(Backoff.delay(after: 999, policy: policy, random: .nan) == .zero)
    }

    @Test func callLimitsFromTheSwiftAPIAreBroughtWithinTheBounds() {
        var limits = CallLimits()
        limits.memoryMB = 36_028_797_018_964_992
        limits.cpuSeconds = -5
        limits.maxResultBytes = Int.max
        limits.timeout = .seconds(Int64.max)
        limits.grace = .seconds(-1)
        let bounded = limits.bounded()
        #expect(bounded.memoryMB == 1_048_576)
        #expect(bounded.cpuSeconds == 0)
        #expect(bounded.maxResultBytes == 1 << 30)
        #expect(bounded.timeout == .seconds(30 * 86_400))
        #expect(bounded.grace == .zero)
        var none = CallLimits()
        none.memoryMB = 0
        #expect(none.bounded().memoryMB == 0, "0 keeps meaning no limit")
    }
}
