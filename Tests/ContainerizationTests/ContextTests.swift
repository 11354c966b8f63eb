import Foundation
import Testing

/// Issue 17: the design's workflow form (tools by name, arguments from the session context), run by the built
/// `wfhost` with the shipped containerization plugin and stand-in CLIs.
@Suite struct ContextTests {
    static let design = Paths.fixtures + "/design/containerization-pipeline.yaml"

    /// A copy of the node fixture with a Dockerfile (the design's example has no Dockerfile stage).
    func sampleRepository(_ world: CLIWorld) throws -> String {
        let repo = try world.dir.copy(fixture: "node", as: "sample")
        try world.dir.write("FROM node:20-alpine\n", to: "sample/Dockerfile")
        return repo
    }

    @Test func theDesignsExampleVerbatimValidatesPlansAndRuns() throws {
        let world = try CLIWorld()
        try world.standardStandins()
        let env = world.environment(path: world.standins)
        let f = Self.design
        // Without repo_url: the error names the place, the property and the variable to pass.
        let missing = try runWfhost(["validate", f], environment: env)
        #expect(missing.status == 2)
        #expect(missing.stdout == """
            \(f):10:15: error: tool 'analyze_repository_atomic' in stage 'analysis' needs 'repo_url', and nothing provides \
            it: it is not in `args`, no variable has that name, no stage that 'analysis' depends on yields it, and the \
            schema has no default
              hint: pass --var repo_url=..., define 'repo_url' under variables, or give it in `args`; no stage of this \
            workflow yields 'repo_url'
            \(f): invalid: 1 error

            """)
        let repo = try sampleRepository(world)
        let valid = try runWfhost(["validate", f, "--var", "repo_url=\(repo)"], environment: env)
        #expect(valid.status == 0, "\(valid.stdout)")
        #expect(valid.stdout == "\(f): valid (3 stages, 3 levels)\n")
        let plan = try runWfhost(["plan", f, "--var", "repo_url=\(repo)"], environment: env)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("""
            stage 'build', tool build_image_atomic (containerization.build_image_atomic) at \(f):15:15:
              image_name         not set (optional)
              image_tag          schema default "latest"
              dockerfile_path    not set (optional)
              build_context      not set (optional)
              build_args         schema default {}
              platform           not set (optional)
              container_cli      not set (optional)
              registry           workflow variable (\(f):25:5)
              app_name           output of stage 'analysis' (analyze_repository_atomic, a direct dependency)
              repo_path          output of stage 'analysis' (analyze_repository_atomic, a direct dependency)
            stage 'security-scan', tool scan_image_security_atomic (containerization.scan_image_security_atomic) at \(f):21:15:
              image_ref           * output of stage 'build' (build_image_atomic, a direct dependency)
              severity_threshold    schema default "HIGH"
            """), "\(plan.stdout)")
        #expect(plan.stdout.hasPrefix("""
            stage 'analysis', tool analyze_repository_atomic (containerization.analyze_repository_atomic) at \(f):10:15:
              repo_url       * --var

            """))
        let bindings = try runWfhost(["validate", "--bindings", f, "--var", "repo_url=\(repo)"], environment: env)
        #expect(bindings.stdout == plan.stdout + "\(f): valid (3 stages, 3 levels)\n")

        let run = try runWfhost(["run", f, "--var", "repo_url=\(repo)", "--json", "--quiet"], environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(world.calls == [
            "docker info --format {{.ServerVersion}}",
            "docker build -t myregistry.azurecr.io/greeter-service:latest -f \(repo)/Dockerfile \(repo)",
            "trivy image --format json --quiet myregistry.azurecr.io/greeter-service:latest",
        ])
    }

    @Test func aMissingValueNamesItsCandidatesAndAnAmbiguousKeyBothProducers() throws {
        let world = try CLIWorld()
        try world.dir.write("""
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: context-problems}
            spec:
              variables: {repo_url: /src/a}
              stages:
                - {name: a, tools: [analyze_repository_atomic]}
                - {name: b, tools: [analyze_repository_atomic]}
                - {name: build, depends_on: [a, b], tools: [{name: build_image_atomic, args: {repo_path: /src/a}}]}
                - {name: push, tools: [push_image_atomic]}
                - name: check
                  depends_on: [a, b]
                  conditions: [{key: port, operator: greater_than, value: 0}]
                  tools: [{name: generate_manifests_atomic, args: {app_name: x, image_ref: "${stages.a.outputs.app_name}:1", port: 80, repo_path: /x}}]

            """, to: "problems.yaml")
        let f = world.dir.path + "/problems.yaml"
        let out = try runWfhost(["validate", f], environment: world.environment(path: world.emptyBin))
        #expect(out.status == 2)
        #expect(out.stdout == """
            \(f):9:56: error: argument 'app_name' of tool 'build_image_atomic' in stage 'build' is ambiguous: 'a' and 'b' \
            both yield 'app_name' at distance 1
              hint: give it in `args`, naming one producer: `app_name: "${stages.a.outputs.app_name}"`
            \(f):10:28: error: tool 'push_image_atomic' in stage 'push' needs 'image_ref', and nothing provides it: it is \
            not in `args`, no variable has that name, no stage that 'push' depends on yields it, and the schema has no default
              hint: pass --var image_ref=..., define 'image_ref' under variables, or give it in `args`; or make 'push' \
            depend on a stage that yields it: 'build'
            \(f):13:20: error: condition key 'port' is ambiguous in stage 'check': 'a' and 'b' both yield 'port' at distance 1
              hint: name the producer: `${stages.a.outputs.port}`
            \(f): invalid: 3 errors

            """, "\(out.stdout)")
    }

    /// The design's route form: `field` beside `key`, error_type matching the tool's own code.
    func routed(_ world: CLIWorld, _ route: String) throws {
        try world.dir.write("""
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: routed}
            spec:
              variables: {registry: registry.example}
              error_policy:
                mode: fail_fast
                routes:
            \(route)
              stages:
                - {name: analysis, tools: [analyze_repository_atomic]}
                - {name: build, depends_on: [analysis], tools: [build_image_atomic]}
                - {name: validate_dockerfile, depends_on: [analysis], tools: [validate_dockerfile_atomic]}
                - {name: image_scan, depends_on: [build], tools: [scan_image_security_atomic]}

            """, to: "routed.yaml")
    }

    @Test func aBuildErrorIsRedirectedByItsToolCodeAndAScanFindingFailsTheRun() throws {
        let world = try CLIWorld()
        try world.standardStandins(failBuilds: 1)
        let repo = try sampleRepository(world)
        try routed(world, """
                  - {id: build_error_redirect, name: Build Error Redirect, priority: 100, action: redirect,
                     redirect_to: validate_dockerfile,
                     conditions: [{field: error_type, operator: equals, value: build_error},
                                  {field: stage_name, operator: equals, value: build}]}
                  - {id: security, action: fail, conditions: [{field: error_type, operator: equals, value: security_issues}]}
            """)
        let env = world.environment(path: world.standins)
        let f = world.dir.path + "/routed.yaml"
        let valid = try runWfhost(["validate", f, "--var", "repo_url=\(repo)"], environment: env)
        #expect(valid.stdout == "\(f): valid (4 stages, 3 levels)\n", "\(valid.stdout)")
        let run = try runWfhost(["run", f, "--var", "repo_url=\(repo)", "--json", "--quiet"], environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        let first = (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]) ?? [:]
        let stages = (first["stages"] as? [[String: Any]]) ?? []
        #expect(stages.first { $0["name"] as? String == "build" }?["attempts"] as? Int == 2)
        #expect(stages.first { $0["name"] as? String == "validate_dockerfile" }?["status"] as? String == "succeeded")
        #expect(world.calls.filter { $0.hasPrefix("docker build") }.count == 2)

        // A CRITICAL finding: the scan fails with security_issues, and the route fails it without retries.
        try world.standin("trivy", [("image*", #"printf '%s\n' '{"Results":[{"Vulnerabilities":[{"VulnerabilityID":"CVE-2024-9","PkgName":"openssl","InstalledVersion":"3.0","Severity":"CRITICAL"}]}]}'"#)])
        let scan = try runWfhost(["run", f, "--var", "repo_url=\(repo)", "--json", "--quiet"], environment: env)
        #expect(scan.status == 1, "\(scan.stderr)")
        let doc = (try JSONSerialization.jsonObject(with: Data(scan.stdout.utf8)) as? [String: Any]) ?? [:]
        let stage = (doc["stages"] as? [[String: Any]])?.first { $0["name"] as? String == "image_scan" }
        #expect(stage?["status"] as? String == "failed")
        #expect(stage?["reason"] as? String == "error route 'security' fails it without retries", "\(String(describing: stage))")
    }

    /// A route's `stage` (or `stage_name`) test naming no stage would never match: an error with did-you-mean, as
    /// for a route added through the API (`RouteLoopTests`).
    @Test func aRouteForAnUnknownStageIsAnErrorWithDidYouMean() throws {
        let world = try CLIWorld()
        try routed(world, """
                  - {id: build_error_redirect, action: redirect, redirect_to: validate_dockerfile,
                     conditions: [{field: error_type, operator: equals, value: build_error},
                                  {field: stage_name, operator: equals, value: biuld}]}
                  - {id: not_scans, action: fail, conditions: [{key: stage, operator: not_in, value: [image_scan, imagescan]}]}
            """)
        let f = world.dir.path + "/routed.yaml"
        let out = try runWfhost(["validate", f, "--var", "repo_url=/src/app"], environment: world.environment(path: world.emptyBin))
        #expect(out.status == 2)
        #expect(out.stdout == """
            \(f):11:68: error: error route 'build_error_redirect' is for stage 'biuld', and the workflow has no stage of \
            that name
              hint: did you mean 'build'?
            \(f):12:103: error: error route 'not_scans' is for stage 'imagescan', and the workflow has no stage of that name
              hint: did you mean 'image_scan'?
            \(f): invalid: 2 errors

            """, "\(out.stdout)")
    }

    @Test func conditionKeyOrFieldAndPlanNeedsTheRegistry() throws {
        let world = try CLIWorld()
        try world.dir.write("""
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: c}
            spec:
              stages:
                - name: s
                  conditions: [{operator: exists}, {key: a, field: b, operator: exists}]
                  tools: [analyze_repository_atomic]

            """, to: "c.yaml")
        let f = world.dir.path + "/c.yaml"
        let env = world.environment(path: world.emptyBin)
        let out = try runWfhost(["validate", "--no-registry", f], environment: env)
        #expect(out.status == 2)
        #expect(out.stdout == """
            \(f):7:20: error: a condition needs `key` (or `field`)
              hint: name what it tests: `{key: repo_url, operator: required}`
            \(f):7:56: error: a condition has either `key` or `field`, not both
              hint: `field` is another name for `key`; keep one
            \(f): invalid: 2 errors

            """, "\(out.stdout)")
        let plan = try runWfhost(["plan", "--no-registry", f], environment: env)
        #expect(plan.status == 2)
        #expect(plan.stderr.hasPrefix("Error: plan needs the plugin registry (the tools' schemas); remove --no-registry\n"))
    }
}
