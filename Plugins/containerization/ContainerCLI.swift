import WfhostPluginKit

/// The external programs the image and cluster tools drive, found on PATH.
enum ExternalTool {
    static let containerCLIs = ["docker", "podman", "buildah"]
    static let scanners = ["trivy", "grype"]

    /// The container CLI to use: `preferred` when given, else the first usable one of docker, podman, buildah.
    /// docker counts only when its daemon answers (`docker info`); podman and buildah need no daemon.
    /// - Throws: `environment` naming what to install (or start) when none is usable.
    static func containerCLI(preferred: String?, context: ToolContext?) throws(ToolError) -> (name: String, path: String) {
        if let p = preferred, !containerCLIs.contains(p) {
            throw ToolError.invalidArguments("container_cli must be one of docker, podman, buildah (got '\(p)')")
        }
        var unusable: [String] = []
        for name in preferred.map({ [$0] }) ?? containerCLIs {
            guard let path = Subprocess.which(name) else { continue }
            if name == "docker" {
                let info = try Subprocess.run(path, ["info", "--format", "{{.ServerVersion}}"], context: context)
                guard info.succeeded else {
                    unusable.append("docker is installed but its daemon does not answer (\(info.tail.split(separator: "\n").last ?? "docker info failed"))")
                    continue
                }
            }
            return (name, path)
        }
        if !unusable.isEmpty {
            throw ToolError.environment(unusable.joined(separator: "; ") + ": start the Docker daemon, or install podman or buildah")
        }
        throw ToolError.environment(preferred.map { "the container CLI '\($0)' is not on PATH; install it or leave container_cli unset" }
            ?? "no container CLI on PATH: install docker, podman or buildah")
    }

    static func scanner(preferred: String?) throws(ToolError) -> (name: String, path: String) {
        if let p = preferred, !scanners.contains(p) {
            throw ToolError.invalidArguments("scanner must be trivy or grype (got '\(p)')")
        }
        for name in preferred.map({ [$0] }) ?? scanners { if let path = Subprocess.which(name) { return (name, path) } }
        throw ToolError.environment("no image scanner on PATH: install trivy or grype")
    }

    static func kubectl() throws(ToolError) -> String {
        guard let path = Subprocess.which("kubectl") else {
            throw ToolError.environment("kubectl is not on PATH: install kubectl to deploy to Kubernetes")
        }
        return path
    }

    /// Runs a command and turns a non-zero exit into `code` with the command's last lines of output.
    static func run(_ path: String, _ args: [String], context: ToolContext, failure code: String,
                    retryable: Bool = true) throws(ToolError) -> CommandOutcome {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        context.log(.info, "running " + ([name] + args).joined(separator: " "))
        let outcome = try Subprocess.run(path, args, context: context)
        guard outcome.succeeded else {
            let how = outcome.signal != 0 ? "was killed by signal \(outcome.signal)" : "exited with status \(outcome.exitCode)"
            throw ToolError(code: code, message: "\(name) \(args.first ?? "") \(how): \(outcome.tail)", retryable: retryable)
        }
        return outcome
    }
}
