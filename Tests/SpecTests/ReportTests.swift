import Plan
import Spec
import Testing

/// The texts the commands print, compared whole.
@Suite struct ReportTests {
    static let example = Fixtures.root.appendingPathComponent("valid/readme-example.yaml").path

    @Test func summaryLines() {
        let valid = WorkflowValidator.validate(path: Self.example, displayName: "readme.yaml")
        #expect(valid.summaryLine == "readme.yaml: valid (3 stages, 3 levels)")
        let invalid = WorkflowValidator.validate(
            path: Fixtures.root.appendingPathComponent("invalid/many-mistakes.yaml").path, displayName: "m.yaml")
        #expect(invalid.summaryLine == "m.yaml: invalid: 5 errors")
        let missing = WorkflowValidator.validate(path: "/nonexistent/w.yaml")
        #expect(missing.diagnostics.map(\.textDescription)
                == ["/nonexistent/w.yaml:1:1: error: cannot read the file: No such file or directory"])
    }

    @Test func analysisText() throws {
        let report = WorkflowValidator.validate(path: Self.example, displayName: "readme.yaml")
        let analysis = WorkflowAnalyzer.analyze(workflow: try #require(report.workflow), plan: try #require(report.plan))
        #expect(AnalysisText.render(analysis, file: "readme.yaml") == """
            workflow 'containerization-pipeline' (readme.yaml)
              stages 3, edges 2, depth 3, widest level 1, roots 1, leaves 1
              max fan-in 1 ('build'), max fan-out 1 ('analysis')
            levels (stages that may run together):
              0: analysis
              1: build
              2: security-scan
            critical path (by weight, 3, 3 stages): analysis → build → security-scan
            suggestions:
              readme.yaml:11:20: serializing-chain: 'build' waits for 'analysis' on the critical path but reads none of its outputs; if the order is not needed, removing this dependency lets them run together
              readme.yaml:15:20: serializing-chain: 'security-scan' waits for 'build' on the critical path but reads none of its outputs; if the order is not needed, removing this dependency lets them run together
              readme.yaml:6:13: missing-timeout: 3 stages have a tool call without a timeout ('analysis', 'build', 'security-scan'); a hung tool holds its stage until the run is cancelled
            """)
    }

    @Test func validationDocumentJSON() throws {
        let report = WorkflowValidator.validate(
            path: Fixtures.root.appendingPathComponent("invalid/unknown-dependency.yaml").path, displayName: "u.yaml")
        let json = try JSONText.encode(ValidationDocument(reports: [report]))
        #expect(json == """
            {
              "files" : [
                {
                  "diagnostics" : [
                    {
                      "code" : "unknown-stage",
                      "hint" : "did you mean 'build'?",
                      "location" : {
                        "column" : 20,
                        "file" : "u.yaml",
                        "line" : 11
                      },
                      "message" : "unknown stage 'biuld'",
                      "notes" : [

                      ],
                      "severity" : "error"
                    }
                  ],
                  "errors" : 1,
                  "file" : "u.yaml",
                  "levels" : 1,
                  "stages" : 2,
                  "valid" : false,
                  "warnings" : 0
                }
              ],
              "valid" : false
            }
            """)
    }
}
