import Foundation
import Testing

/// Issue 17: the five predefined workflows in the design's form (`Fixtures/design-form`: tools by name, arguments
/// from the session context) validate and run end to end with the same results as the explicit ones in
/// `workflows/`, with stand-in CLIs and the built `wfhost`.
@Suite struct DesignFormTests {
    static let directory = Paths.fixtures + "/design-form"

    /// A finished run, its stand-ins' command lines and its repository, with the repository's path replaced
    /// by `REPO` so that two runs on two copies compare.
    struct Outcome {
        var status: Int32
        var stderr: String
        var stages: [String: [String: Any]]
        var calls: [String]
        var repo: String
        func status(_ stage: String) -> String { stages[stage]?["status"] as? String ?? "absent" }
        func output(_ stage: String) -> [String: Any] { stages[stage]?["output"] as? [String: Any] ?? [:] }
        func normalized(_ text: String) -> String { text.replacingOccurrences(of: repo, with: "REPO") }
        /// The output keys that later stages and the user read, as text.
        func results(_ stage: String) throws -> [String: String] {
            var out: [String: String] = [:]
            for key in ["image_ref", "manifests_path", "output_dir", "dockerfile_path", "passed", "clean", "healthy",
                        "namespace", "written", "app_name", "port", "repo_path", "container_cli", "counts"] {
                guard let v = output(stage)[key] else { continue }
                // Objects as JSON with sorted keys: a dictionary's own description has no fixed order.
                let text = JSONSerialization.isValidJSONObject(v)
                    ? String(decoding: try JSONSerialization.data(withJSONObject: v, options: [.sortedKeys]), as: UTF8.self)
                    : nil
                out[key] = normalized(text ?? "\(v)")
            }
            return out
        }
    }

    /// Runs `workflow` (a file or a predefined name) in a world of its own on a fresh copy of the node fixture.
    func run(_ workflow: String, _ vars: [String] = [], failBuilds: Int = 0, criticalFinding: Bool = false,
             dockerfile: Bool = false) throws -> Outcome {
        let world = try CLIWorld()
        try world.standardStandins(failBuilds: failBuilds, criticalFinding: criticalFinding)
        let repo = try world.dir.copy(fixture: "node", as: "sample")
        if dockerfile {
            try FileManager.default.copyItem(atPath: Paths.fixtures + "/dockerfiles/good.Dockerfile", toPath: repo + "/Dockerfile")
        }
        let out = try runWfhost(["run", workflow, "--var", "repo_url=\(repo)"] + vars.flatMap { ["--var", $0] } + ["--json", "--quiet"],
                                environment: world.environment(path: world.standins))
        let doc = (try? JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]) ?? [:]  // none: checked below
        #expect(!doc.isEmpty, "no JSON result: \(out.stderr)")
        var stages: [String: [String: Any]] = [:]
        for s in doc["stages"] as? [[String: Any]] ?? [] { stages[s["name"] as? String ?? "?"] = s }
        var files: [String] = []
        for relative in ["Dockerfile", "k8s/deployment.yaml", "k8s/service.yaml", "k8s/staging/deployment.yaml",
                         "k8s/production/deployment.yaml"] {
            files.append(relative + ":\n" + world.dir.read("sample/" + relative))
        }
        var outcome = Outcome(status: out.status, stderr: out.stderr, stages: stages, calls: world.calls, repo: repo)
        outcome.calls = outcome.calls.map(outcome.normalized) + files.map(outcome.normalized)
        return outcome
    }

    static let cases: [(name: String, vars: [String], dockerfile: Bool)] = [
        ("containerization-pipeline", ["registry=registry.example", "namespace=shop"], false),
        ("development-workflow", [], false),
        ("security-focused-pipeline", [], false),
        ("production-deployment", ["registry=registry.example", "image_tag=2.1.0"], true),
        ("ci-cd-pipeline", ["registry=r.example"], false),
    ]

    @Test func eachDesignFormValidatesWithoutArgsForWhatTheContextHolds() throws {
        let world = try CLIWorld()
        let env = world.environment(path: world.emptyBin)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: Self.directory).filter { $0.hasSuffix(".yaml") })
                == Set(Self.cases.map { $0.name + ".yaml" }))
        for c in Self.cases {
            let file = Self.directory + "/\(c.name).yaml"
            let valid = try runWfhost(["validate", file, "--var", "repo_url=/src/app"], environment: env)
            #expect(valid.status == 0, "\(c.name): \(valid.stdout)")
            #expect(valid.stdout.contains("\(c.name).yaml: valid (\(try stageCount(file)) stages, "), "\(c.name): \(valid.stdout)")
            #expect(!valid.stdout.contains("error:"), "\(c.name): \(valid.stdout)")
            // No argument is left without a source, and repo_url is the --var's.
            let plan = try runWfhost(["plan", file, "--var", "repo_url=/src/app"], environment: env)
            #expect(plan.status == 0, "\(c.name): \(plan.stderr)")
            #expect(plan.stdout.contains("  repo_url       * --var\n"), "\(c.name): \(plan.stdout)")
        }
    }

    /// The number of stages of a design-form file (each starts with `    - name: ` at the stages' indent).
    func stageCount(_ file: String) throws -> Int {
        try String(contentsOfFile: file, encoding: .utf8).components(separatedBy: "\n    - name: ").count - 1
    }

    @Test(arguments: DesignFormTests.cases.map(\.name))
    func theDesignFormRunsWithTheSameResultsAsTheExplicitOne(_ name: String) throws {
        let c = try #require(Self.cases.first { $0.name == name })
        let explicit = try run(name, c.vars, dockerfile: c.dockerfile)
        let design = try run(Self.directory + "/\(name).yaml", c.vars, dockerfile: c.dockerfile)
        #expect(explicit.status == 0, "\(explicit.stderr)")
        #expect(design.status == 0, "\(design.stderr)")
        #expect(Set(design.stages.keys) == Set(explicit.stages.keys))
        for stage in explicit.stages.keys.sorted() {
            #expect(design.status(stage) == explicit.status(stage), "\(name): stage \(stage)")
            let (mine, theirs) = (try design.results(stage), try explicit.results(stage))
            #expect(mine == theirs, "\(name): stage \(stage)")
        }
        // The same container, scanner and cluster commands, in the same order, and the same files written.
        #expect(design.calls == explicit.calls, "\(name)")
        #expect(explicit.calls.contains { $0.hasPrefix("docker build") }, "\(name): \(explicit.calls)")
    }

    /// The image reference and the manifests that the runs above compare, spelled out once.
    @Test func theDesignFormsContainerizationPipelineYieldsTheImageAndManifests() throws {
        let design = try run(Self.directory + "/containerization-pipeline.yaml", ["registry=registry.example", "namespace=shop"])
        #expect(design.status == 0, "\(design.stderr)")
        #expect(try design.results("build")["image_ref"] == "registry.example/greeter-service:latest")
        #expect(try design.results("push")["image_ref"] == "registry.example/greeter-service:latest")
        #expect(try design.results("manifests")["manifests_path"] == "REPO/k8s")
        #expect(try design.results("deploy")["namespace"] == "shop")
        #expect(try design.results("health_check")["healthy"] == "1")
    }

    @Test(arguments: [("containerization-pipeline", false), ("production-deployment", true), ("ci-cd-pipeline", false)])
    func aBuildErrorIsRedirectedByErrorTypeBuildError(_ name: String, _ dockerfile: Bool) throws {
        let r = try run(Self.directory + "/\(name).yaml", failBuilds: 1, dockerfile: dockerfile)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.status("validate_after_build_error") == "succeeded", "\(name)")
        #expect(r.stages["build"]?["attempts"] as? Int == 2, "\(name)")
        #expect(r.status("build") == "succeeded", "\(name)")
        #expect(r.calls.filter { $0.hasPrefix("docker build") }.count == 2, "\(name)")
    }

    @Test(arguments: [("containerization-pipeline", false), ("production-deployment", true)])
    func aScanFindingFailsTheRunByErrorTypeSecurityIssues(_ name: String, _ dockerfile: Bool) throws {
        let r = try run(Self.directory + "/\(name).yaml", criticalFinding: true, dockerfile: dockerfile)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.status("image_scan") == "failed", "\(name)")
        #expect(r.stages["image_scan"]?["reason"] as? String == "error route 'security_issues_fail' fails it without retries",
                "\(name): \(String(describing: r.stages["image_scan"]))")
        #expect(r.stages["image_scan"]?["attempts"] as? Int == 1, "\(name): its retry_policy is not used")
        #expect(r.stages["image_scan"]?["error_type"] as? String == "tool_error", "\(name)")
        #expect(!r.calls.contains { $0.hasPrefix("docker push") }, "\(name): \(r.calls)")
        #expect(!r.calls.contains { $0.hasPrefix("kubectl") }, "\(name): \(r.calls)")
    }
}
