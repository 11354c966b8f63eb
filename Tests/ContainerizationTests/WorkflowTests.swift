import Foundation
import Testing

/// The five predefined workflows, run end to end by the built `wfhost` with stand-in CLIs on PATH.
@Suite struct WorkflowTests {
    static let names = ["ci-cd-pipeline", "containerization-pipeline", "development-workflow", "production-deployment",
                        "security-focused-pipeline"]

    /// One run's stages from `wfhost run --json`: name → "status" or "status: reason".
    struct Run {
        var status: Int32
        var document: [String: Any]
        var stderr: String
        var session: String { document["session_id"] as? String ?? "" }
        var stages: [String: String] {
            var out: [String: String] = [:]
            for s in document["stages"] as? [[String: Any]] ?? [] {
                let status = s["status"] as? String ?? "?"
                out[s["name"] as? String ?? "?"] = (s["reason"] as? String).map { "\(status): \($0)" } ?? status
            }
            return out
        }
        func output(_ stage: String) -> [String: Any] {
            ((document["stages"] as? [[String: Any]])?.first { $0["name"] as? String == stage }?["output"] as? [String: Any]) ?? [:]
        }
    }

    func run(_ world: CLIWorld, _ arguments: [String], path: String? = nil) throws -> Run {
        let out = try runWfhost(arguments + ["--json", "--quiet"], environment: world.environment(path: path ?? world.standins))
        let doc = (try? JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]) ?? [:]  // none: checked below
        #expect(!doc.isEmpty, "no JSON result: \(out.stderr)")
        return Run(status: out.status, document: doc, stderr: out.stderr)
    }

    @Test func listShowAndValidate() throws {
        let world = try CLIWorld()
        let list = try runWfhost(["workflows", "list"], environment: world.environment(path: world.emptyBin))
        #expect(list.status == 0)
        for name in Self.names { #expect(list.stdout.contains("\n" + name + " ")) }
        for name in Self.names {
            let show = try runWfhost(["workflows", "show", name], environment: world.environment(path: world.emptyBin))
            #expect(show.stdout == (try String(contentsOfFile: Paths.repository + "/workflows/\(name).yaml", encoding: .utf8)))
            let validate = try runWfhost(["validate", Paths.repository + "/workflows/\(name).yaml"], environment: world.environment(path: world.emptyBin))
            #expect(validate.status == 0, "\(name): \(validate.stderr)")
            #expect(validate.stdout.contains("\(name).yaml: valid ("), "\(name): \(validate.stdout)")
        }
        let unknown = try runWfhost(["workflows", "show", "nope"], environment: world.environment(path: world.emptyBin))
        #expect(unknown.status == 2)
    }

    @Test func developmentWorkflowWithoutAContainerCLISkipsTheBuildAndSaysWhy() throws {
        let world = try CLIWorld()
        let repo = try world.dir.copy(fixture: "node")
        let r = try run(world, ["run", "development-workflow", "--var", "repo_url=\(repo)"], path: world.emptyBin)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stages == [
            "analysis": "succeeded", "detect_tools": "succeeded", "dockerfile": "succeeded", "validate_dockerfile": "succeeded",
            "secret_scan": "succeeded", "manifests": "succeeded",
            "build": "skipped: condition 'stages.detect_tools.outputs.container_cli exists' is false (it has no value)",
        ])
        #expect(r.output("detect_tools")["summary"] as? String
                == "no container CLI on PATH: install docker, podman or buildah; no image scanner (install trivy or grype); no kubectl (install kubectl)")
        #expect(FileManager.default.fileExists(atPath: repo + "/Dockerfile"))
        #expect(FileManager.default.fileExists(atPath: repo + "/k8s/deployment.yaml"))
        #expect(FileManager.default.fileExists(atPath: repo + "/k8s/service.yaml"))
        #expect(world.calls.isEmpty)
    }

    @Test func developmentWorkflowBuildsWithACLI() throws {
        let world = try CLIWorld()
        try world.standardStandins()
        let repo = try world.dir.copy(fixture: "node")
        let r = try run(world, ["run", "development-workflow", "--var", "repo_url=\(repo)"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stages["build"] == "succeeded")
        #expect(world.calls == [
            "docker info --format {{.ServerVersion}}",
            "docker build -t greeter-service:dev -f \(repo)/Dockerfile \(repo)",
        ])
    }

    @Test func containerizationPipelineEndToEnd() throws {
        let world = try CLIWorld()
        try world.standardStandins()
        let repo = try world.dir.copy(fixture: "node")
        let r = try run(world, ["run", "containerization-pipeline", "--var", "repo_url=\(repo)", "--var", "registry=registry.example",
                                "--var", "namespace=shop"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stages == [
            "analysis": "succeeded", "dockerfile": "succeeded", "validate_dockerfile": "succeeded", "secret_scan": "succeeded",
            "build": "succeeded", "image_scan": "succeeded", "push": "succeeded", "manifests": "succeeded", "deploy": "succeeded",
            "health_check": "succeeded",
            "validate_after_build_error": "pending: recovery stage: runs only when an error route or on_failure calls it",
        ])
        #expect(world.calls == [
            "docker info --format {{.ServerVersion}}",
            "docker build -t registry.example/greeter-service:latest -f \(repo)/Dockerfile \(repo)",
            "trivy image --format json --quiet registry.example/greeter-service:latest",
            "docker info --format {{.ServerVersion}}",
            "docker push registry.example/greeter-service:latest",
            "kubectl apply -f \(repo)/k8s --namespace shop",
            "kubectl rollout status deployment/greeter-service --namespace shop --timeout 120s",
            "kubectl get deployment greeter-service --namespace shop -o json",
        ])
        #expect(world.dir.read("node/k8s/deployment.yaml").contains("\n  namespace: shop\n"))
    }

    @Test func aFailedBuildIsRedirectedToValidationThenRetried() throws {
        let world = try CLIWorld()
        try world.standardStandins(failBuilds: 1)
        let repo = try world.dir.copy(fixture: "node")
        let r = try run(world, ["run", "containerization-pipeline", "--var", "repo_url=\(repo)"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stages["validate_after_build_error"] == "succeeded")
        let build = (r.document["stages"] as? [[String: Any]])?.first { $0["name"] as? String == "build" }
        #expect(build?["status"] as? String == "succeeded")
        #expect(build?["attempts"] as? Int == 2)
        #expect(world.calls.filter { $0.hasPrefix("docker build") }.count == 2)
    }

    @Test func withoutDockerTheBuildFailsNamingTheCLIAndTheSessionCanBeResumed() throws {
        let world = try CLIWorld()
        let repo = try world.dir.copy(fixture: "node")
        let failed = try run(world, ["run", "containerization-pipeline", "--var", "repo_url=\(repo)"], path: world.emptyBin)
        #expect(failed.status == 1)
        #expect(failed.stages["analysis"] == "succeeded")
        #expect(failed.stages["dockerfile"] == "succeeded")
        #expect(failed.stages["validate_dockerfile"] == "succeeded")
        #expect(failed.stages["secret_scan"] == "succeeded")
        #expect(failed.stages["build"] == "failed")
        let build = (failed.document["stages"] as? [[String: Any]])?.first { $0["name"] as? String == "build" }
        #expect(build?["error_type"] as? String == "tool_error")
        #expect(build?["error"] as? String == "no container CLI on PATH: install docker, podman or buildah")
        #expect(build?["attempts"] as? Int == 1)  // not retryable: no backoff wasted on a missing CLI

        // Once a CLI is on PATH, the failed session continues from the build stage.
        try world.standardStandins()
        let retried = try run(world, ["resume", failed.session])
        #expect(retried.status == 0, "\(retried.stderr)")
        #expect(retried.session == failed.session)
        #expect(retried.stages["build"] == "succeeded")
        #expect(retried.stages["health_check"] == "succeeded")
        #expect(world.calls.first == "docker info --format {{.ServerVersion}}")
        #expect(world.calls.contains("docker build -t localhost:5000/greeter-service:latest -f \(repo)/Dockerfile \(repo)"))
    }

    @Test func securityFocusedPipelinePushesOnlyWhenTheScanPasses() throws {
        let world = try CLIWorld()
        try world.standardStandins()
        let repo = try world.dir.copy(fixture: "node")
        let clean = try run(world, ["run", "security-focused-pipeline", "--var", "repo_url=\(repo)"])
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stages["push"] == "succeeded")
        #expect(world.calls.last == "docker push localhost:5000/greeter-service:latest")

        try world.standin("trivy", [("image*", #"printf '%s\n' '{"Results":[{"Vulnerabilities":[{"VulnerabilityID":"CVE-2024-9","PkgName":"openssl","InstalledVersion":"3.0","Severity":"HIGH"}]}]}'"#)])
        let repo2 = try world.dir.copy(fixture: "node", as: "node2")
        let vulnerable = try run(world, ["run", "security-focused-pipeline", "--var", "repo_url=\(repo2)"])
        #expect(vulnerable.status == 0, "\(vulnerable.stderr)")
        #expect(vulnerable.stages["image_scan"] == "succeeded")
        #expect(vulnerable.stages["push"] == "skipped: condition 'stages.image_scan.outputs.passed equals true' is false (the value is false)")

        // Secrets stop everything before a build.
        let secrets = try world.dir.copy(fixture: "secrets")
        try world.dir.write(#"{"name":"leaky","dependencies":{}}"#, to: "secrets/package.json")
        let leaky = try run(world, ["run", "security-focused-pipeline", "--var", "repo_url=\(secrets)"])
        #expect(leaky.status == 1)
        #expect(leaky.stages["secret_scan"] == "failed")
    }

    @Test func productionDeploymentScansBeforeDeploying() throws {
        let world = try CLIWorld()
        try world.standardStandins()
        let repo = try world.dir.copy(fixture: "node")
        try FileManager.default.copyItem(atPath: Paths.fixtures + "/dockerfiles/good.Dockerfile", toPath: repo + "/Dockerfile")
        let r = try run(world, ["run", "production-deployment", "--var", "repo_url=\(repo)", "--var", "registry=registry.example",
                                "--var", "image_tag=2.1.0"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(world.calls == [
            "docker info --format {{.ServerVersion}}",
            "docker build -t greeter-service:candidate -f \(repo)/Dockerfile \(repo)",
            "trivy image --format json --quiet greeter-service:candidate",
            "docker info --format {{.ServerVersion}}",
            "docker tag greeter-service:candidate registry.example/greeter-service:2.1.0",
            "docker info --format {{.ServerVersion}}",
            "docker push registry.example/greeter-service:2.1.0",
            "kubectl apply -f \(repo)/k8s/production --namespace production",
            "kubectl rollout status deployment/greeter-service --namespace production --timeout 300s",
            "kubectl get deployment greeter-service --namespace production -o json",
        ])
        // Without a reviewed Dockerfile nothing is built.
        let bare = try world.dir.copy(fixture: "node", as: "bare")
        let refused = try run(world, ["run", "production-deployment", "--var", "repo_url=\(bare)"])
        #expect(refused.status == 1)
        #expect(refused.stages["require_dockerfile"] == "failed")
        #expect(refused.stages["build"]?.hasPrefix("skipped") == true)
    }

    @Test func ciCdPromotesFromStagingToProduction() throws {
        let world = try CLIWorld()
        try world.standardStandins()
        let repo = try world.dir.copy(fixture: "node")
        let r = try run(world, ["run", "ci-cd-pipeline", "--var", "repo_url=\(repo)", "--var", "registry=r.example"])
        #expect(r.status == 0, "\(r.stderr)")
        let kubectl = world.calls.filter { $0.hasPrefix("kubectl") }
        #expect(kubectl == [
            "kubectl apply -f \(repo)/k8s/staging --namespace staging",
            "kubectl rollout status deployment/greeter-service --namespace staging --timeout 120s",
            "kubectl get deployment greeter-service --namespace staging -o json",
            "kubectl apply -f \(repo)/k8s/production --namespace production",
            "kubectl rollout status deployment/greeter-service --namespace production --timeout 120s",
            "kubectl get deployment greeter-service --namespace production -o json",
        ])
        #expect(world.calls.contains("docker tag r.example/greeter-service:latest r.example/greeter-service:production"))

        // promote=false stops after staging, and says why.
        let repo2 = try world.dir.copy(fixture: "node", as: "node2")
        let held = try run(world, ["run", "ci-cd-pipeline", "--var", "repo_url=\(repo2)", "--var-file", try promoteFalse(world)])
        #expect(held.status == 0, "\(held.stderr)")
        #expect(held.stages["health_staging"] == "succeeded")
        #expect(held.stages["tag_production"] == "skipped: condition 'promote equals true' is false (the value is false)")
        #expect(held.stages["deploy_production"]?.hasPrefix("skipped") == true)
    }

    /// `promote: false` as a real boolean (`--var` gives strings; a YAML variable file keeps the type).
    func promoteFalse(_ world: CLIWorld) throws -> String {
        try world.dir.write("promote: false\n", to: "promote.yaml")
        return world.dir.path + "/promote.yaml"
    }
}
