import Plan
import Spec
import Testing

/// A catalog standing in for the plugin registry.
struct FakeCatalog: ToolCatalog {
    let tools = ["images.resize", "images.build", "docker.build", "notify.send"]

    func resolve(_ name: String) -> ToolResolution {
        if tools.contains(name) { return .found(qualifiedName: name) }
        let matches = tools.filter { $0.hasSuffix("." + name) }
        if matches.count == 1 { return .found(qualifiedName: matches[0]) }
        if matches.count > 1 { return .ambiguous(candidates: matches) }
        return .unknown(suggestions: name == "resise" ? ["resize"] : [])
    }

    func checkArguments(tool qualifiedName: String, arguments: SpecValue) -> [ArgumentProblem] {
        guard qualifiedName == "images.resize" else { return [] }
        var problems: [ArgumentProblem] = []
        if arguments["width"] == nil { problems.append(ArgumentProblem(path: [], message: "missing required property 'width'")) }
        if let width = arguments["width"], case .int = width.kind {} else if arguments["width"] != nil {
            problems.append(ArgumentProblem(path: [.key("width")], message: "must be an integer",
                                            hint: "write a whole number of pixels"))
        }
        if let sizes = arguments["sizes"], case .list(let items) = sizes.kind {
            for (i, item) in items.enumerated() where item.kind != .int(1) && item.kind != .int(2) {
                problems.append(ArgumentProblem(path: [.key("sizes"), .index(i)], message: "must be 1 or 2"))
            }
        }
        return problems
    }

    func traits(ofTool qualifiedName: String) -> ToolTraits? {
        ToolTraits(hasSideEffects: qualifiedName == "notify.send")
    }
}

@Suite struct CatalogTests {
    static let text = """
        apiVersion: orchestration/v1
        kind: Workflow
        metadata: {name: tools}
        spec:
          variables: {w: 10}
          stages:
            - name: a
              tools:
                - resize
                - name: images.resize
                  args:
                    width: wide
                    sizes: [1, 3]
                - name: resize
                  args: {width: "${w}"}
                - build
                - resise
                - unknown_tool
            - name: b
              tools: [send]
              retry_policy: {max_attempts: 3}
        """

    @Test func toolNamesAndArgumentsAreCheckedAtTheirLines() {
        let report = WorkflowValidator.validate(text: Self.text, file: "t.yaml",
                                                options: LoadOptions(catalog: FakeCatalog()))
        #expect(report.diagnostics.map(\.textDescription) == [
            "t.yaml:9:11: error: invalid arguments for tool 'resize': missing required property 'width'",
            "t.yaml:12:20: error: invalid arguments for tool 'images.resize' at 'width': must be an integer\n"
                + "  hint: write a whole number of pixels",
            "t.yaml:13:24: error: invalid arguments for tool 'images.resize' at 'sizes.[1]': must be 1 or 2",
            "t.yaml:16:11: error: tool name 'build' is ambiguous: offered by images.build, docker.build\n"
                + "  hint: write the qualified name, such as 'images.build'",
            "t.yaml:17:11: error: unknown tool 'resise'\n  hint: did you mean 'resize'?",
            "t.yaml:18:11: error: unknown tool 'unknown_tool'\n"
                + "  hint: run `wfhost plugins list` to see the tools on the plugin path, or pass --no-registry",
        ])
    }

    @Test func withoutACatalogToolsAreNotChecked() {
        let report = WorkflowValidator.validate(text: Self.text, file: "t.yaml")
        #expect(report.diagnostics.isEmpty)
    }

    @Test func resolvedNamesAndSideEffectRetries() throws {
        let report = WorkflowValidator.validate(text: Self.text, file: "t.yaml", options: LoadOptions(catalog: FakeCatalog()))
        let workflow = try #require(report.workflow)
        #expect(workflow.stages[1].tools.map(\.resolvedName) == ["notify.send"])
        let plan = try #require(report.plan)
        let analysis = WorkflowAnalyzer.analyze(workflow: workflow, plan: plan, catalog: FakeCatalog())
        #expect(analysis.suggestions.contains { $0.kind == .retriedSideEffects && $0.stages == ["b"] })
    }

    @Test func externalVariablesCountAsDefined() {
        let text = """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: vars}
            spec:
              stages: [{name: a, tools: [x], args: {v: "${version}"}}]
            """
        #expect(!WorkflowValidator.validate(text: text, file: "v.yaml").isValid)
        #expect(WorkflowValidator.validate(text: text, file: "v.yaml",
                                           options: LoadOptions(externalVariables: ["version"])).isValid)
    }
}

@Suite struct DiagnosticTests {
    let diagnostic = Diagnostic.error(.unknownTool, at: SourceLocation(file: "dir/flow, a.yaml", line: 12, column: 7),
                                      "unknown tool 'resize' (100%)", hint: "did you mean 'resize-image'?",
                                      notes: [.init(location: SourceLocation(file: "f.yaml", line: 1, column: 2), message: "here")])

    @Test func textForm() {
        #expect(diagnostic.textDescription == """
            dir/flow, a.yaml:12:7: error: unknown tool 'resize' (100%)
              note: f.yaml:1:2: here
              hint: did you mean 'resize-image'?
            """)
    }

    @Test func githubAnnotationEscapes() {
        #expect(diagnostic.githubAnnotation
                == "::error file=dir/flow%2C a.yaml,line=12,col=7,title=unknown-tool::unknown tool 'resize' (100%25)"
                + "%0Anote: f.yaml:1:2: here%0Ahint: did you mean 'resize-image'?")
    }

    @Test func jsonRoundTrip() throws {
        let json = try JSONText.encode(diagnostic)
        #expect(json.contains("\"code\" : \"unknown-tool\""))
        let decoded = try JSONDecoderHelper.decode(json)
        #expect(decoded == diagnostic)
    }
}
