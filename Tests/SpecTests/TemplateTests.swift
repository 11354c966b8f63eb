import Plan
import Spec
import Testing

@Suite struct TemplateTests {
    @Test func literalOnly() throws {
        #expect(try Template.parse("plain text").segments == [.literal("plain text")])
        #expect(try Template.parse("").segments == [])
        #expect(try Template.parse("costs $5").segments == [.literal("costs $5")])
    }

    @Test func referencesOfEachKind() throws {
        let template = try Template.parse("${registry}/app:${env.TAG}-${stages.build.outputs.image.digest}")
        #expect(template.segments == [
            .reference(.variable(name: "registry", path: []), offset: 0),
            .literal("/app:"),
            .reference(.environment(name: "TAG"), offset: 16),
            .literal("-"),
            .reference(.stageOutput(stage: "build", path: ["image", "digest"]), offset: 27),
        ])
        #expect(template.wholeReference == nil)
    }

    @Test func wholeReferenceKeepsItsType() throws {
        #expect(try Template.parse("${stages.build.outputs}").wholeReference == .stageOutput(stage: "build", path: []))
        #expect(try Template.parse("${config.replicas}").wholeReference == .variable(name: "config", path: ["replicas"]))
    }

    @Test func dollarDollarBraceIsAnEscape() throws {
        #expect(try Template.parse("$${literal} and ${x}").segments == [
            .literal("${literal} and "), .reference(.variable(name: "x", path: []), offset: 16),
        ])
    }

    @Test func offsetsCountUnicodeScalars() throws {
        #expect(try Template.parse("é${x}").segments == [.literal("é"), .reference(.variable(name: "x", path: []), offset: 1)])
        #expect(try Template.parse("${名前}").wholeReference == .variable(name: "名前", path: []))
    }

    @Test(arguments: [
        ("${unclosed", "'${' is never closed by '}'"),
        ("${}", "empty reference '${}'"),
        ("${a..b}", "malformed reference '${a..b}'"),
        ("${env}", "malformed reference '${env}'"),
        ("${env.A.B}", "malformed reference '${env.A.B}'"),
        ("${stages.build}", "malformed reference '${stages.build}'"),
        ("${stages.build.result}", "malformed reference '${stages.build.result}'"),
        ("${a b}", "malformed reference '${a b}'"),
    ])
    func malformedReferencesAreErrors(_ text: String, _ message: String) {
        #expect(throws: Template.ParseError.self) { try Template.parse(text) }
        do {
            _ = try Template.parse(text)
        } catch {
            #expect(error.message == message)
        }
    }

    @Test func descriptionRoundTrips() throws {
        for text in ["${a}", "${a.b.c}", "${env.HOME}", "${stages.s.outputs}", "${stages.s.outputs.x.0}"] {
            #expect(try Template.parse(text).wholeReference?.description == text)
        }
    }
}

@Suite struct DurationTests {
    @Test(arguments: [
        ("30s", 30_000), ("5m", 300_000), ("1h30m", 5_400_000), ("250ms", 250), ("90", 90_000), ("1.5", 1500),
        ("1.5s", 1500), ("2d", 172_800_000), ("1m30s500ms", 90_500),
    ] as [(String, Int64)])
    func parses(_ text: String, _ milliseconds: Int64) throws {
        let duration = try #require(DurationText.parse(text))
        #expect(DurationText.milliseconds(duration) == milliseconds)
    }

    @Test(arguments: ["", "5 minutes", "m", "30x", "1s1h", "1m1m", "-5", "1e400", "abc"])
    func rejects(_ text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test func formatsShortest() {
        #expect(DurationText.format(.milliseconds(5_400_000)) == "1h30m")
        #expect(DurationText.format(.milliseconds(250)) == "250ms")
        #expect(DurationText.format(.zero) == "0s")
    }
}

@Suite struct CoreSchemaTests {
    @Test(arguments: [
        ("", SpecValue.Kind.null), ("~", .null), ("null", .null), ("true", .bool(true)), ("False", .bool(false)),
        ("42", .int(42)), ("-7", .int(-7)), ("0o17", .int(15)), ("0x1F", .int(31)), ("1.5", .double(1.5)),
        ("1e3", .double(1000)), (".5", .double(0.5)), ("1.0.0", .string("1.0.0")), ("yes", .string("yes")),
        ("on", .string("on")), ("0x", .string("0x")), ("-", .string("-")), ("12abc", .string("12abc")),
    ])
    func plainScalars(_ text: String, _ kind: SpecValue.Kind) {
        #expect(SpecValue.resolvePlain(text) == kind)
    }

    @Test func quotedAndTaggedScalarsStayStrings() throws {
        let text = """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: t}
            spec:
              variables: {a: "42", b: '1.5', c: !!str true, d: 42, e: !secret hunter2, f: !secret 7}
              stages: [{name: s, tools: [t]}]
            """
        let report = WorkflowValidator.validate(text: text, file: "t.yaml")
        let variables = try #require(report.workflow).variables
        #expect(variables.map(\.value.kind) == [.string("42"), .string("1.5"), .string("true"), .int(42),
                                                .string("hunter2"), .int(7)])
        #expect(variables.map(\.isSecret) == [false, false, false, false, true, true])
    }
}

@Suite struct TemplateRenderTests {
    struct Missing: Error, Equatable { var name: String }

    @Test func rendersReferencesAndEscapes() throws {
        let template = try Template.parse("$${kept} ${registry}/app:${env.TAG}")
        let text = try template.render { (reference: VariableReference) throws(Missing) -> String in
            switch reference {
            case .variable(let name, _) where name == "registry": return "example.org"
            case .environment(let name) where name == "TAG": return "v1"
            default: throw Missing(name: reference.description)
            }
        }
        #expect(text == "${kept} example.org/app:v1")
    }

    @Test func resolverErrorsPropagate() throws {
        let template = try Template.parse("${nope}")
        #expect(throws: Missing(name: "${nope}")) {
            try template.render { (reference: VariableReference) throws(Missing) -> String in
                throw Missing(name: reference.description)
            }
        }
    }
}
