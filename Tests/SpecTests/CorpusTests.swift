import Foundation
import Plan
import Spec
import Testing

/// The fixture corpus: every broken file with its exact diagnostics, every valid file with none.
@Suite struct CorpusTests {
    /// Set `SPEC_UPDATE_EXPECTED=1` to rewrite the `.expected` files from the current output (then review the diff).
    static let updating = ProcessInfo.processInfo.environment["SPEC_UPDATE_EXPECTED"] == "1"

    static func rendered(_ report: ValidationReport) -> String {
        report.diagnostics.map { $0.textDescription + "\n" }.joined()
    }

    @Test func invalidCorpusHasAtLeastThirtyFiles() throws {
        #expect(try Fixtures.files(in: "invalid").count >= 30)
    }

    @Test(arguments: try Fixtures.files(in: "invalid"))
    func invalidFileReportsExactlyItsExpectedDiagnostics(_ file: URL) throws {
        let report = WorkflowValidator.validate(path: file.path, displayName: file.lastPathComponent)
        let expectedURL = file.deletingPathExtension().appendingPathExtension("expected")
        let actual = Self.rendered(report)
        if Self.updating {
            try actual.write(to: expectedURL, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(!report.isValid)
        #expect(report.errorCount > 0)
        #expect(actual == expected)
    }

    @Test(arguments: try Fixtures.files(in: "valid"))
    func validFileHasNoDiagnostics(_ file: URL) throws {
        let report = WorkflowValidator.validate(path: file.path, displayName: file.lastPathComponent)
        #expect(Self.rendered(report) == "")
        #expect(report.isValid)
        #expect(report.plan != nil)
    }

    @Test func validCorpusHasTheReadmeExampleAndFiveMore() throws {
        let names = try Fixtures.files(in: "valid").map(\.lastPathComponent)
        #expect(names.contains("readme-example.yaml"))
        #expect(names.count >= 6)
    }

    @Test func shippedExampleIsTheReadmeExample() throws {
        let example = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/containerization-pipeline.yaml")
        let readme = Fixtures.root.appendingPathComponent("valid/readme-example.yaml")
        #expect(try Data(contentsOf: example) == Data(contentsOf: readme))
    }
}
