import Benchmarks
import Foundation
import Plan
import Spec
import Testing

/// Hostile input fails fast, in bounded memory, with one clear error. The files are generated here, not committed.
///
/// Serialized, and home to the other memory-hungry tests too, so that the peak-memory figures measure one test.
@Suite(.serialized) struct LimitTests {
    /// Validates `file` and checks the time, the peak memory and the single error's code.
    func expectFastFailure(_ file: URL, code: Diagnostic.Code) throws {
        try PeakMemory.reset()
        let clock = ContinuousClock()
        let start = clock.now
        let report = WorkflowValidator.validate(path: file.path, displayName: file.lastPathComponent)
        let elapsed = clock.now - start
        let peak = try PeakMemory.megabytes()
        #expect(!report.isValid)
        #expect(report.diagnostics.map(\.code) == [code])
        #expect(elapsed < .seconds(2), "took \(elapsed)")
        #expect(peak < 200, "peak RSS \(peak) MiB")
    }

    @Test func billionLaughsFailsFast() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }  // Cleanup only; the test's result stands.
        var text = "apiVersion: orchestration/v1\nkind: Workflow\nmetadata: {name: lol}\nspec:\n  variables:\n"
        text += "    a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            text += "    a\(level): &a\(level) [\(refs)]\n"
        }
        text += "  stages:\n    - name: s\n      tools: [t]\n      args: {x: *a9}\n"
        let file = dir.appendingPathComponent("laughs.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        try expectFastFailure(file, code: .aliasExpansionTooLarge)
    }

    @Test func tenThousandDeepNestFailsFast() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }  // Cleanup only.
        let text = "apiVersion: orchestration/v1\nkind: Workflow\nmetadata: {name: deep}\nspec:\n  variables:\n    x: "
            + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n"
        let file = dir.appendingPathComponent("deep.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        try expectFastFailure(file, code: .nestingTooDeep)
    }

    @Test func tenThousandDeepBlockNestFailsFast() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }  // Cleanup only.
        // Block style: "- " per level on one line keeps the file small.
        let text = "apiVersion: orchestration/v1\nkind: Workflow\nmetadata: {name: deep}\nspec:\n  variables:\n    x:\n"
            + "      " + String(repeating: "- ", count: 10_000) + "end\n"
        let file = dir.appendingPathComponent("deep-block.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        try expectFastFailure(file, code: .nestingTooDeep)
    }

    @Test func fiftyMegabyteScalarFailsFast() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }  // Cleanup only.
        let file = dir.appendingPathComponent("huge.yaml")
        #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
        let handle = try FileHandle(forWritingTo: file)
        try handle.write(contentsOf: Data("apiVersion: orchestration/v1\nkind: Workflow\nmetadata:\n  name: ".utf8))
        let chunk = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<50 { try handle.write(contentsOf: chunk) }
        try handle.write(contentsOf: Data("\nspec: {stages: [{name: s, tools: [t]}]}\n".utf8))
        try handle.close()
        try expectFastFailure(file, code: .scalarTooLarge)
    }

    @Test func fiftyMegabyteQuotedScalarFailsFast() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }  // Cleanup only.
        let file = dir.appendingPathComponent("huge-quoted.yaml")
        #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
        let handle = try FileHandle(forWritingTo: file)
        try handle.write(contentsOf: Data("apiVersion: orchestration/v1\nkind: Workflow\nmetadata:\n  name: \"".utf8))
        let chunk = Data(repeating: UInt8(ascii: "y"), count: 1 << 20)
        for _ in 0..<50 { try handle.write(contentsOf: chunk) }
        try handle.write(contentsOf: Data("\"\n".utf8))
        try handle.close()
        try expectFastFailure(file, code: .scalarTooLarge)
    }

    @Test func scalarJustUnderTheLimitIsAccepted() {
        let limits = LoadLimits(maxScalarBytes: 64 << 10)
        let value = String(repeating: "z", count: (64 << 10) - 10)
        let text = "apiVersion: orchestration/v1\nkind: Workflow\nmetadata: {name: ok, description: \(value)}\n"
            + "spec: {stages: [{name: s, tools: [t]}]}\n"
        let report = WorkflowValidator.validate(text: text, file: "ok.yaml", options: LoadOptions(limits: limits))
        #expect(report.isValid)
    }

    @Test func documentLargerThanTheLimitIsRefused() {
        let limits = LoadLimits(maxDocumentBytes: 1000)
        let text = "apiVersion: orchestration/v1\n" + String(repeating: "# padding\n", count: 200)
        let report = WorkflowValidator.validate(text: text, file: "big.yaml", options: LoadOptions(limits: limits))
        #expect(report.diagnostics.map(\.code) == [.documentTooLarge])
    }

    @Test func aliasesAddingTooManyNodesAreRefused() {
        var text = "apiVersion: orchestration/v1\nkind: Workflow\nmetadata: {name: lol}\nspec:\n  variables:\n"
        text += "    a0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n"
        for level in 1...4 {
            text += "    a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let limits = LoadLimits(maxAliasExpandedNodes: 5000)
        let report = WorkflowValidator.validate(text: text, file: "lol.yaml", options: LoadOptions(limits: limits))
        #expect(report.diagnostics.map(\.textDescription) == [
            "lol.yaml:9:29: error: aliases in this document stand for more than 5000 nodes\n"
            + "  hint: this looks like a 'billion laughs' file; use fewer nested aliases",
        ])
    }

    @Test func documentsWithTooManyNodesAreRefused() {
        let text = "apiVersion: orchestration/v1\nkind: Workflow\nmetadata: {name: many}\nspec:\n  variables:\n    x: ["
            + Array(repeating: "1", count: 2000).joined(separator: ",") + "]\n"
        let report = WorkflowValidator.validate(text: text, file: "many.yaml",
                                                options: LoadOptions(limits: LoadLimits(maxExpandedNodes: 1000)))
        #expect(report.diagnostics.map(\.code) == [.aliasExpansionTooLarge])
    }

    @Test func aliasesWithinTheBoundAreExpanded() throws {
        let text = """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: ok}
            spec:
              variables:
                base: &base [1, 2, 3]
                copy: *base
              stages: [{name: s, tools: [t]}]
            """
        let report = WorkflowValidator.validate(text: text, file: "ok.yaml")
        let workflow = try #require(report.workflow)
        #expect(report.isValid)
        #expect(workflow.variables.map(\.value.kind) == [
            .list([SpecValue(.int(1), at: SourceLocation(file: "ok.yaml", line: 6, column: 18)),
                   SpecValue(.int(2), at: SourceLocation(file: "ok.yaml", line: 6, column: 21)),
                   SpecValue(.int(3), at: SourceLocation(file: "ok.yaml", line: 6, column: 24))]),
            .list([SpecValue(.int(1), at: SourceLocation(file: "ok.yaml", line: 6, column: 18)),
                   SpecValue(.int(2), at: SourceLocation(file: "ok.yaml", line: 6, column: 21)),
                   SpecValue(.int(3), at: SourceLocation(file: "ok.yaml", line: 6, column: 24))]),
        ])
    }

    @Test func generatedLargeWorkflowValidates() {
        // The benchmark's generator; 20,000 stages keeps a debug test quick (the 100,000 figure is `make bench`'s).
        let text = SpecBenchmark.generateWorkflow(stages: 20_000)
        let report = WorkflowValidator.validate(text: text, file: "large.yaml")
        #expect(report.diagnostics.isEmpty)
        #expect(report.plan?.graph.count == 20_000)
    }

    @Test func longChainHasNoStackOverflow() throws {
        var text = "apiVersion: orchestration/v1\nkind: Workflow\nmetadata: {name: chain}\nspec:\n  stages:\n"
        text += "    - {name: s0, tools: [t], depends_on: [s19999]}\n"
        for i in 1..<20_000 { text += "    - {name: s\(i), tools: [t], depends_on: [s\(i - 1)]}\n" }
        let report = WorkflowValidator.validate(text: text, file: "ring.yaml")
        #expect(report.cycles.count == 1)
        #expect(report.cycles.first?.path.count == 20_001)
    }
}

/// Every number a workflow can hold has an upper bound (``Limits``), reported at `FILE:LINE:COL` with the range.
extension LimitTests {
    @Test func theOverflowingMemoryFromTheIssueIsRefusedAtValidation() {
        let text = "apiVersion: orchestration/v1\nkind: Workflow\nmetadata: {name: m}\nspec:\n  stages:\n"
            + "    - {name: s, tools: [{name: t, memory_mb: 36028797018964992}]}\n"
        let report = WorkflowValidator.validate(text: text, file: "m.yaml")
        #expect(!report.isValid)
        #expect(report.diagnostics.map(\.textDescription) == [
            "m.yaml:6:46: error: `memory_mb` must be at most 1048576, not 36028797018964992\n"
            + "  hint: allowed: 16 to 1048576 MiB (1 TiB)",
        ])
        #expect(report.diagnostics.map(\.code) == [.outOfRange])
    }

    @Test func everyBoundHasItsMessage() {
        let text = """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: b}
            spec:
              timeout: 31d
              max_concurrency: 5000
              error_policy:
                max_failures: 1000001
                routes:
                  - {id: r, action: fail, priority: 1000001}
              stages:
                - name: s
                  timeout: 30d1ms
                  weight: 2000000000
                  retry_policy:
                    max_attempts: 1001
                    initial_delay: 2d
                    max_delay: 1d1ms
                    multiplier: 1001
                    retry_on: [256, {exit_code: -1}]
                  tools:
                    - {name: t, memory_mb: 36028797018964992, timeout: 100000000000000s}
                    - {name: u, memory_mb: 99999999999999999999}
                    - {name: v, memory_mb: 8}
            """
        let report = WorkflowValidator.validate(text: text, file: "b.yaml")
        let timeout = "\n  hint: allowed: more than 0s, at most 720h (30 days)"
        let delay = "\n  hint: allowed: more than 0s, at most 24h (1 day)"
        let memory = "\n  hint: allowed: 16 to 1048576 MiB (1 TiB)"
        #expect(report.diagnostics.sorted { $0.location < $1.location }.map(\.textDescription) == [
            "b.yaml:5:12: error: `timeout` must be at most 720h, not 744h" + timeout,
            "b.yaml:6:20: error: `max_concurrency` must be at most 4096, not 5000\n  hint: allowed: 1 to 4096",
            "b.yaml:8:19: error: `max_failures` must be at most 1000000, not 1000001\n  hint: allowed: 1 to 1000000",
            "b.yaml:10:41: error: `priority` must be at most 1000000, not 1000001\n  hint: allowed: -1000000 to 1000000",
            "b.yaml:13:16: error: `timeout` must be at most 720h, not 720h1ms" + timeout,
            "b.yaml:14:15: error: `weight` must be at most 1000000000, not 2000000000\n"
                + "  hint: allowed: more than 0, at most 1000000000",
            "b.yaml:16:23: error: `max_attempts` must be at most 1000, not 1001\n  hint: allowed: 1 to 1000",
            "b.yaml:17:24: error: `initial_delay` must be at most 24h, not 48h" + delay,
            "b.yaml:18:20: error: `max_delay` must be at most 24h, not 24h1ms" + delay,
            "b.yaml:19:21: error: `multiplier` must be at most 1000, not 1001\n  hint: allowed: 1 to 1000",
            "b.yaml:20:20: error: an exit code in `retry_on` must be at most 255, not 256\n  hint: allowed: 0 to 255",
            "b.yaml:20:37: error: `exit_code` must be at least 0, not -1\n  hint: allowed: 0 to 255",
            "b.yaml:22:32: error: `memory_mb` must be at most 1048576, not 36028797018964992" + memory,
            "b.yaml:22:60: error: `timeout` must be at most 720h, not '100000000000000s'" + timeout,
            "b.yaml:23:32: error: `memory_mb` must be at most 1048576, not 99999999999999999999" + memory,
            "b.yaml:24:32: error: `memory_mb` must be at least 16, not 8" + memory,
        ])
        #expect(Set(report.diagnostics.map(\.code)) == [.outOfRange])
    }

    @Test func theBoundsThemselvesAreAccepted() {
        let text = """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: b}
            spec:
              timeout: 30d
              max_concurrency: 4096
              error_policy: {mode: continue, max_failures: 1000000, routes: [{id: r, action: fail, priority: -1000000}]}
              stages:
                - name: s
                  timeout: 720h
                  weight: 1000000000
                  retry_policy: {max_attempts: 1000, backoff_mode: exponential, initial_delay: 24h, max_delay: 1d,
                                 multiplier: 1000, retry_on: [255, {exit_code: 0}]}
                  tools: [{name: t, memory_mb: 1048576, timeout: 2592000}, {name: u, memory_mb: 16}]
            """
        let report = WorkflowValidator.validate(text: text, file: "b.yaml")
        #expect(report.diagnostics.filter { $0.severity == .error }.map(\.textDescription) == [])
    }
}
