import Foundation
import Testing

/// The tools that drive external CLIs, called through the built `wfhost call` (a real worker, sandboxed) with
/// stand-in executables on PATH that record their command lines.
@Suite struct CLIToolTests {
    func call(_ world: CLIWorld, _ tool: String, _ args: String, path: String? = nil) throws -> ProcessOutput {
        try runWfhost(["call", tool, "--args", args], environment: world.environment(path: path ?? world.standins))
    }

    @Test func missingCLIsFailWithEnvironmentNamingWhatToInstall() throws {
        let world = try CLIWorld()
        let cases: [(String, String, String)] = [
            ("build_image_atomic", #"{"image_name":"a","build_context":"/tmp"}"#, "no container CLI on PATH: install docker, podman or buildah"),
            ("tag_image_atomic", #"{"source_image":"a","target_image":"b"}"#, "no container CLI on PATH: install docker, podman or buildah"),
            ("push_image_atomic", #"{"image_ref":"a"}"#, "no container CLI on PATH: install docker, podman or buildah"),
            ("pull_image_atomic", #"{"image_ref":"a"}"#, "no container CLI on PATH: install docker, podman or buildah"),
            ("scan_image_security_atomic", #"{"image_ref":"a"}"#, "no image scanner on PATH: install trivy or grype"),
            ("deploy_kubernetes_atomic", #"{"manifests_path":"/tmp"}"#, "kubectl is not on PATH: install kubectl to deploy to Kubernetes"),
            ("check_health_atomic", #"{"app_name":"a"}"#, "kubectl is not on PATH: install kubectl to deploy to Kubernetes"),
        ]
        for (tool, args, message) in cases {
            let out = try runWfhost(["call", tool, "--args", args, "--json"], environment: world.environment(path: world.emptyBin))
            #expect(out.status == 1, "\(tool)")
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
            let error = try #require(doc["error"] as? [String: Any])
            #expect(error["code"] as? String == "environment", "\(tool)")
            #expect(error["message"] as? String == message, "\(tool)")
            #expect(error["retryable"] as? Bool == false, "\(tool)")
        }
    }

    @Test func dockerWithoutDaemonIsAnEnvironmentError() throws {
        let world = try CLIWorld()
        try world.standin("docker", [("info*", "printf 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.\\n' >&2; exit 1")])
        let out = try call(world, "build_image_atomic", #"{"image_name":"a","build_context":"/tmp"}"#)
        #expect(out.status == 1)
        #expect(out.stderr.contains("tool_error: docker is installed but its daemon does not answer (Cannot connect to the Docker daemon at unix:///var/run/docker.sock.): start the Docker daemon, or install podman or buildah"), "\(out.stderr)")
        let detect = try call(world, "detect_container_cli_atomic", "{}")
        #expect(detect.status == 0)
        #expect(!detect.stdout.contains("\"container_cli\""))
        #expect(detect.stdout.contains("\"container_cli_available\": false"))
    }

    @Test func imageToolsRunTheExactCommandLines() throws {
        let world = try CLIWorld()
        try world.standardStandins()
        let repo = try world.dir.copy(fixture: "node")
        try world.dir.write("FROM node:20-alpine\n", to: "node/Dockerfile")
        let build = try call(world, "build_image_atomic", """
            {"image_name":"registry.example/greeter","image_tag":"1.0","build_context":"\(repo)",\
            "build_args":{"NODE_ENV":"production","A":"1"},"platform":"linux/amd64"}
            """)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stdout.contains(#""image_ref": "registry.example/greeter:1.0""#))
        #expect(try call(world, "tag_image_atomic", #"{"source_image":"a:1","target_image":"r/a:2"}"#).status == 0)
        #expect(try call(world, "push_image_atomic", #"{"image_ref":"r/a:2"}"#).status == 0)
        #expect(try call(world, "pull_image_atomic", #"{"image_ref":"r/b:3"}"#).status == 0)
        #expect(world.calls == [
            "docker info --format {{.ServerVersion}}",
            "docker build -t registry.example/greeter:1.0 -f \(repo)/Dockerfile --build-arg A=1 --build-arg NODE_ENV=production --platform linux/amd64 \(repo)",
            "docker info --format {{.ServerVersion}}",
            "docker tag a:1 r/a:2",
            "docker info --format {{.ServerVersion}}",
            "docker push r/a:2",
            "docker info --format {{.ServerVersion}}",
            "docker pull r/b:3",
        ])
    }

    @Test func podmanAndBuildahWhenDockerIsAbsent() throws {
        let world = try CLIWorld()
        try world.standin("buildah")
        try world.dir.write("FROM alpine:3.20\n", to: "ctx/Dockerfile")
        let out = try call(world, "build_image_atomic", #"{"image_name":"x","build_context":"\#(world.dir.path)/ctx"}"#)
        #expect(out.status == 0, "\(out.stderr)")
        try world.standin("podman")
        #expect(try call(world, "push_image_atomic", #"{"image_ref":"x:latest"}"#).status == 0)
        #expect(world.calls == [
            "buildah bud -t x:latest -f \(world.dir.path)/ctx/Dockerfile \(world.dir.path)/ctx",
            "podman push x:latest",
        ])
    }

    @Test func buildFailureIsRetryableAndSaysTheBuildFailed() throws {
        let world = try CLIWorld()
        try world.standardStandins(failBuilds: 5)
        try world.dir.write("FROM alpine:3.20\n", to: "ctx/Dockerfile")
        let out = try call(world, "build_image_atomic", #"{"image_name":"x","build_context":"\#(world.dir.path)/ctx"}"#)
        #expect(out.status == 1)
        #expect(out.stderr.contains("tool_error: the image build failed: docker build exited with status 1: ERROR: failed to solve: process \"/bin/sh -c npm ci\" did not complete successfully"), "\(out.stderr)")
    }

    @Test func scannerParsesTrivyAndGrypeAndAppliesTheThreshold() throws {
        let world = try CLIWorld()
        try world.standardStandins()
        let low = try call(world, "scan_image_security_atomic", #"{"image_ref":"r/a:1"}"#)
        #expect(low.status == 0, "\(low.stderr)")
        #expect(low.stdout.contains(#""low": 1"#))
        #expect(low.stdout.contains(#""passed": true"#))
        let strict = try call(world, "scan_image_security_atomic", #"{"image_ref":"r/a:1","severity_threshold":"LOW"}"#)
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("tool_error: 1 vulnerability at or above LOW in r/a:1 (trivy): CVE-2024-0001 in zlib"), "\(strict.stderr)")
        try FileManager.default.removeItem(atPath: world.standins + "/trivy")
        try world.standin("grype", [("*", #"printf '%s\n' '{"matches":[{"vulnerability":{"id":"GHSA-1","severity":"Critical","fix":{"versions":["2.0"]}},"artifact":{"name":"lodash","version":"4.17.0"}}]}'"#)])
        let grype = try call(world, "scan_image_security_atomic", #"{"image_ref":"r/a:1","fail_on_findings":false}"#)
        #expect(grype.status == 0, "\(grype.stderr)")
        #expect(grype.stdout.contains(#""critical": 1"#))
        #expect(grype.stdout.contains(#""passed": false"#))
        #expect(world.calls == ["trivy image --format json --quiet r/a:1", "trivy image --format json --quiet r/a:1", "grype r/a:1 -o json"])
    }

    @Test func gitURLsAreClonedWithGit() throws {
        let world = try CLIWorld()
        let target = world.dir.path + "/checkout"
        let missing = try call(world, "analyze_repository_atomic", #"{"repo_url":"https://example.com/acme/shop.git"}"#, path: world.emptyBin)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("tool_error: https://example.com/acme/shop.git is a git URL and git is not on PATH: install git, or pass a local path"), "\(missing.stderr)")
        // The stand-in clones nothing, so the analysis then finds no repository; the command line is what counts.
        try world.standin("git")
        let out = try call(world, "analyze_repository_atomic", #"{"repo_url":"https://example.com/acme/shop.git","branch":"main","checkout_dir":"\#(target)"}"#)
        #expect(out.stderr.contains("does not exist or is not a directory"), "\(out.stderr)")
        #expect(world.calls == ["git clone --depth 1 --branch main -- https://example.com/acme/shop.git \(target)"])
    }

    @Test func kubectlToolsRunTheExactCommandLines() throws {
        let world = try CLIWorld()
        try world.standardStandins()
        let deploy = try call(world, "deploy_kubernetes_atomic", #"{"manifests_path":"/tmp/k8s","namespace":"shop","app_name":"greeter","kubeconfig":"/etc/kube.conf","context":"prod"}"#)
        #expect(deploy.status == 0, "\(deploy.stderr)")
        let health = try call(world, "check_health_atomic", #"{"app_name":"greeter","namespace":"shop","kubeconfig":"/etc/kube.conf"}"#)
        #expect(health.status == 0, "\(health.stderr)")
        #expect(health.stdout.contains(#""ready_replicas": 2"#))
        #expect(world.calls == [
            "kubectl --kubeconfig /etc/kube.conf --context prod apply -f /tmp/k8s --namespace shop",
            "kubectl --kubeconfig /etc/kube.conf --context prod rollout status deployment/greeter --namespace shop --timeout 120s",
            "kubectl --kubeconfig /etc/kube.conf get deployment greeter --namespace shop -o json",
        ])
        try world.standin("kubectl", [("get*|*\" get \"*", #"printf '%s\n' '{"spec":{"replicas":3},"status":{"readyReplicas":1}}'"#)])
        let unhealthy = try call(world, "check_health_atomic", #"{"app_name":"greeter"}"#)
        #expect(unhealthy.status == 1)
        #expect(unhealthy.stderr.contains("tool_error: deployment greeter in default has 1 of 3 replicas ready"), "\(unhealthy.stderr)")
    }
}
