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
