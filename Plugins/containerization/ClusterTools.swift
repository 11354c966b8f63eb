import FoundationEssentials
import WfhostPluginKit

#if canImport(Glibc)
import Glibc
#endif

/// The tools that drive kubectl. The worker runs with HOME set to the call's scratch directory, so without a
/// `kubeconfig` argument the user's own `~/.kube/config` (from the password database) is passed when it exists.
enum ClusterTools {
    static let clusterProperties = #""namespace":{"type":"string","default":"default"},"kubeconfig":{"type":"string"},"context":{"type":"string"}"#

    static func globalFlags(kubeconfig: String?, context: String?) -> [String] {
        let config = kubeconfig.map(RepositoryFiles.absolute) ?? userKubeconfig()
        return (config.map { ["--kubeconfig", $0] } ?? []) + (context.map { ["--context", $0] } ?? [])
    }

    /// `~/.kube/config` of the user running the worker, when it exists.
    static func userKubeconfig() -> String? {
        guard let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir else { return nil }
        let path = String(cString: dir) + "/.kube/config"
        return RepositoryFiles.isFile(path) ? path : nil
    }

    struct DeployArgs: Decodable {
        var manifestsPath: String
        var namespace: String?
        var appName: String?
        var kubeconfig: String?
        var context: String?
        var wait: Bool?
        var timeout: String?
        enum CodingKeys: String, CodingKey {
            case manifestsPath = "manifests_path", namespace, appName = "app_name", kubeconfig, context, wait, timeout
        }
    }

    struct DeployResult: Encodable {
        var namespace: String
        var applied: [String]
        var commands: [[String]]
    }

    static let deploy = Tool(
        name: "deploy_kubernetes_atomic", title: "Deploy to Kubernetes",
        description: "Applies the manifests at manifests_path (a file or directory): kubectl [--kubeconfig K] [--context C] apply -f PATH --namespace NS; with wait and app_name, then kubectl rollout status deployment/APP --namespace NS --timeout T. Fails with code environment when kubectl is missing, deploy_failed when kubectl does.",
        inputSchema: objectSchema("""
            "manifests_path":{"type":"string","minLength":1},"app_name":{"type":"string"},\
            "wait":{"type":"boolean","default":true},"timeout":{"type":"string","default":"120s"},\(clusterProperties)
            """, required: ["manifests_path"]),
        outputSchema: outputSchema(#""namespace":{"type":"string"},"applied":{"type":"array"},"commands":{"type":"array"}"#),
        idempotent: true, sideEffects: true, capabilities: Sandbox.network, arguments: DeployArgs.self
    ) { args, context in
        let kubectl = try ExternalTool.kubectl()
        let ns = args.namespace ?? "default"
        let flags = globalFlags(kubeconfig: args.kubeconfig, context: args.context)
        let apply = flags + ["apply", "-f", RepositoryFiles.absolute(args.manifestsPath), "--namespace", ns]
        let out = try ExternalTool.run(kubectl, apply, context: context, failure: "deploy_failed")
        var commands = [["kubectl"] + apply]
        if args.wait ?? true, let app = args.appName {
            let rollout = flags + ["rollout", "status", "deployment/\(app)", "--namespace", ns, "--timeout", args.timeout ?? "120s"]
            _ = try ExternalTool.run(kubectl, rollout, context: context, failure: "deploy_failed")
            commands.append(["kubectl"] + rollout)
        }
        return DeployResult(namespace: ns, applied: out.stdout.split(separator: "\n").map(String.init), commands: commands)
    }

    struct HealthArgs: Decodable {
        var appName: String
        var namespace: String?
        var kubeconfig: String?
        var context: String?
        enum CodingKeys: String, CodingKey { case appName = "app_name", namespace, kubeconfig, context }
    }

    struct HealthResult: Encodable {
        var healthy: Bool
        var readyReplicas: Int
        var desiredReplicas: Int
        enum CodingKeys: String, CodingKey { case healthy, readyReplicas = "ready_replicas", desiredReplicas = "desired_replicas" }
    }

    struct DeploymentJSON: Decodable {
        struct Spec: Decodable { var replicas: Int? }
        struct Status: Decodable { var readyReplicas: Int? }
        var spec: Spec?
        var status: Status?
    }

    static let health = Tool(
        name: "check_health_atomic", title: "Check a deployment's health",
        description: "Reads deployment app_name with kubectl get deployment APP --namespace NS -o json and compares ready with desired replicas. Fails with code unhealthy (retryable) when fewer are ready, environment when kubectl is missing.",
        inputSchema: objectSchema(#""app_name":{"type":"string","minLength":1},"# + clusterProperties, required: ["app_name"]),
        outputSchema: outputSchema(#""healthy":{"type":"boolean"},"ready_replicas":{"type":"integer"},"desired_replicas":{"type":"integer"}"#),
        idempotent: true, capabilities: Sandbox.network, arguments: HealthArgs.self
    ) { args, context in
        let kubectl = try ExternalTool.kubectl()
        let ns = args.namespace ?? "default"
        let argv = globalFlags(kubeconfig: args.kubeconfig, context: args.context)
            + ["get", "deployment", args.appName, "--namespace", ns, "-o", "json"]
        let out = try ExternalTool.run(kubectl, argv, context: context, failure: "health_check_failed")
        let d: DeploymentJSON
        do {
            d = try JSONDecoder().decode(DeploymentJSON.self, from: Data(out.stdout.utf8))
        } catch {
            throw ToolError(code: "health_check_failed", message: "kubectl printed a deployment that cannot be read as JSON: \(error)")
        }
        let desired = d.spec?.replicas ?? 1, ready = d.status?.readyReplicas ?? 0
        guard ready >= desired else {
            throw ToolError(code: "unhealthy", message: "deployment \(args.appName) in \(ns) has \(ready) of \(desired) replicas ready", retryable: true)
        }
        return HealthResult(healthy: true, readyReplicas: ready, desiredReplicas: desired)
    }
}
