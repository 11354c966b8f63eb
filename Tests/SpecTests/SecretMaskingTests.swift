import Plan
import Spec
import Testing

/// `!secret` values are masked on the parsed tree: every style, including block scalars that hold a PEM key.
@Suite struct SecretMaskingTests {
    static let pemLines = [
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
        "QyNTUxOQAAACDy3Jq0mVx5bP1kq9Zt8Xo2yQ4nLr7WcS3hF6uT0aGvEgAAAJgQm3xkEJt8",
        "-----END OPENSSH PRIVATE KEY-----",
    ]

    static func workflow(_ variables: String) -> String {
        "apiVersion: orchestration/v1\nkind: Workflow\nmetadata: {name: m}\nspec:\n  variables:\n"
            + variables + "  stages:\n    - {name: s, tools: [t], args: {k: \"${key}\"}}\n"
    }

    @Test func literalBlockScalarLeavesNoLineOfTheSecret() throws {
        let text = Self.workflow("    key: !secret |\n" + Self.pemLines.map { "      " + $0 + "\n" }.joined()
                                 + "    after: plain\n")
        let masked = SecretMasking.maskTaggedValues(in: text, file: "m.yaml")
        for line in Self.pemLines { #expect(!masked.contains(line), "\(line)") }
        #expect(masked == Self.workflow("    key: !secret '***'\n    after: plain\n"))
        let report = WorkflowValidator.validate(text: masked, file: "m.yaml")
        #expect(report.isValid, "\(report.diagnostics.map(\.textDescription))")
        #expect(report.workflow?.variables.map(\.name) == ["key", "after"])
        #expect(report.workflow?.variables.first?.value.kind == .string("***"))
    }

    @Test func foldedKeepAndStripBlocksAreMasked() {
        for header in [">", "|-", "|+", ">-", "|2", "| # the deploy key"] {
            let text = Self.workflow("    key: !secret \(header)\n      first-secret-line\n      second-secret-line\n\n"
                                     + "    after: 1\n")
            let masked = SecretMasking.maskTaggedValues(in: text, file: "m.yaml")
            #expect(!masked.contains("secret-line"), "\(header): \(masked)")
            #expect(masked.contains("    key: !secret '***'\n"), "\(header): \(masked)")
            #expect(masked.contains("    after: 1\n"), "\(header)")
            #expect(WorkflowValidator.validate(text: masked, file: "m.yaml").isValid, "\(header): \(masked)")
        }
    }

    @Test func quotedMultiLineFlowAndAnchoredValuesAreMasked() throws {
        let text = Self.workflow("""
                a: !secret "double \\"quoted\\" secret"
                b: !secret 'single ''quoted'' secret'
                c: !secret plain secret
                  continued on the next line
                d: {inner: 1}
                e: &shared !secret anchored-secret
                f: [*shared, !secret "in-a-flow-list"]

            """)
        let masked = SecretMasking.maskTaggedValues(in: text, file: "m.yaml")
        for part in ["double", "single", "plain secret", "continued", "anchored-secret", "in-a-flow-list"] {
            #expect(!masked.contains(part), "\(part) left in:\n\(masked)")
        }
        #expect(masked.contains("    e: &shared !secret '***'\n"))
        #expect(masked.contains("    f: [*shared, !secret '***']\n"))
        #expect(masked.contains("    d: {inner: 1}\n"))
        // Still YAML (validation would refuse the `!secret` inside a list, which is beside the point here).
        let loaded = YAMLLoader.load(text: masked, file: "m.yaml")
        #expect(loaded.diagnostics.isEmpty)
        let root = try #require(loaded.document?.root)
        let values = SpecValue.from(root, file: "m.yaml")["spec"]?["variables"]
        for key in ["a", "b", "c", "e"] { #expect(values?[key]?.kind == .string("***"), "\(key)") }
        guard case .list(let items) = values?["f"]?.kind else { Issue.record("f is not a list"); return }
        #expect(items.map(\.kind) == [.string("***"), .string("***")])
    }

    @Test func textWithoutSecretsOrNotYAMLIsUnchanged() {
        let plain = Self.workflow("    key: value\n")
        #expect(SecretMasking.maskTaggedValues(in: plain) == plain)
        let broken = "a: [unclosed\n  b: !secret x\n"
        #expect(SecretMasking.maskTaggedValues(in: broken) == broken)
    }

    @Test func aShortTaggedSecretIsRefused() {
        let report = WorkflowValidator.validate(text: Self.workflow("    key: !secret abc\n"), file: "m.yaml")
        #expect(report.diagnostics.map(\.textDescription) == [
            "m.yaml:6:10: error: the secret 'key' is 3 characters long; secrets shorter than 4 characters are refused\n"
            + "  hint: a secret is masked as *** wherever it appears, so a short one would rewrite ordinary output "
            + "(masking `e` changes every line); a value that is not secret needs no `!secret`",
        ])
    }
}
