import FoundationEssentials
import WfhostPluginKit

/// The tools that drive a container CLI (docker, podman or buildah) and an image scanner (trivy or grype).
enum ImageTools {
    static let cliProperty = #""container_cli":{"enum":["docker","podman","buildah"]}"#

    // MARK: detect_container_cli_atomic

    struct Empty: Decodable {}

    struct Detected: Encodable {
        var containerCLI: String?
        var containerCLIAvailable: Bool
        var scanner: String?
        var scannerAvailable: Bool
        var kubectlAvailable: Bool
        var gitAvailable: Bool
        var summary: String
        enum CodingKeys: String, CodingKey {
            case containerCLI = "container_cli", containerCLIAvailable = "container_cli_available", scanner
            case scannerAvailable = "scanner_available", kubectlAvailable = "kubectl_available", gitAvailable = "git_available", summary
        }
    }

    static let detect = Tool(
        name: "detect_container_cli_atomic", title: "Detect container tools",
        description: "Reports which external tools are on PATH: the first usable container CLI of docker (its daemon must answer docker info), podman, buildah (container_cli, absent when none), the first image scanner of trivy, grype (scanner), and whether kubectl and git are there. Workflows use it to skip, with a reason, the stages that need them.",
        inputSchema: objectSchema(""),
        outputSchema: outputSchema(#""container_cli":{"type":"string"},"container_cli_available":{"type":"boolean"},"scanner":{"type":"string"},"scanner_available":{"type":"boolean"},"kubectl_available":{"type":"boolean"},"git_available":{"type":"boolean"},"summary":{"type":"string"}"#),
        idempotent: true, capabilities: Sandbox.readsEverything, arguments: Empty.self
    ) { _, context in
        var cli: String? = nil
        var note: String? = nil
        do {
            cli = try ExternalTool.containerCLI(preferred: nil, context: context).name
        } catch let error as ToolError where error.code == "environment" {
            note = error.message  // no usable CLI is a finding here, not a failure
        }
        let scanner = ExternalTool.scanners.first { Subprocess.which($0) != nil }
        let kubectl = Subprocess.which("kubectl") != nil
        var parts = [cli.map { "container CLI: \($0)" } ?? note ?? "no container CLI (install docker, podman or buildah)"]
        parts.append(scanner.map { "scanner: \($0)" } ?? "no image scanner (install trivy or grype)")
        parts.append(kubectl ? "kubectl: yes" : "no kubectl (install kubectl)")
        return Detected(containerCLI: cli, containerCLIAvailable: cli != nil, scanner: scanner, scannerAvailable: scanner != nil,
                        kubectlAvailable: kubectl, gitAvailable: Subprocess.which("git") != nil,
                        summary: parts.joined(separator: "; "))
    }

    // MARK: build_image_atomic

    struct BuildArgs: Decodable {
        var imageName: String?
        var imageTag: String?
        var dockerfilePath: String?
        var buildContext: String?
        var buildArgs: [String: String]?
        var platform: String?
        var containerCLI: String?
        var registry: String?
        var appName: String?
        var repoPath: String?
        enum CodingKeys: String, CodingKey {
            case imageName = "image_name", imageTag = "image_tag", dockerfilePath = "dockerfile_path"
            case buildContext = "build_context", buildArgs = "build_args", platform, containerCLI = "container_cli"
            case registry, appName = "app_name", repoPath = "repo_path"
        }
    }

    struct ImageResult: Encodable {
        var imageRef: String
        var cli: String
        var command: [String]
        enum CodingKeys: String, CodingKey { case imageRef = "image_ref", cli, command }
    }

    static let build = Tool(
        name: "build_image_atomic", title: "Build an image",
        description: "Builds image_name:image_tag (without image_name: REGISTRY/APP_NAME:IMAGE_TAG from registry, app_name and image_tag) from build_context (default repo_path) with the first container CLI on PATH (docker, podman or buildah; container_cli picks one): CLI build -t REF -f DOCKERFILE [--build-arg K=V ...] [--platform P] CONTEXT (buildah: bud); yields image_ref. Fails with code environment when no CLI is installed, build_error (retryable, message starting 'the image build failed') when the build itself does.",
        inputSchema: objectSchema("""
            "image_name":{"type":"string","minLength":1},"image_tag":{"type":"string","default":"latest"},\
            "dockerfile_path":{"type":"string"},"build_context":{"type":"string","minLength":1},\
            "build_args":{"type":"object","additionalProperties":{"type":"string"},"default":{}},\
            "platform":{"type":"string"},\(cliProperty),"registry":{"type":"string"},\
            "app_name":{"type":"string","minLength":1},"repo_path":{"type":"string","minLength":1}
            """),
        outputSchema: refOutput,
        sideEffects: true, capabilities: Sandbox.containerCLI, arguments: BuildArgs.self
    ) { args, context in
        guard let name = args.imageName ?? args.appName.map({ app in args.registry.map { "\($0)/\(app)" } ?? app }) else {
            throw ToolError.invalidArguments("give image_name, or app_name (with registry) to build REGISTRY/APP_NAME:IMAGE_TAG")
        }
        guard let buildContext = args.buildContext ?? args.repoPath else {
            throw ToolError.invalidArguments("give build_context (or repo_path): the directory to build")
        }
        let cli = try ExternalTool.containerCLI(preferred: args.containerCLI, context: context)
        let contextDir = RepositoryFiles.absolute(buildContext)
        let dockerfile = args.dockerfilePath.map(RepositoryFiles.absolute) ?? "\(contextDir)/Dockerfile"
        guard RepositoryFiles.isFile(dockerfile) else {
            throw ToolError(code: "not_found", message: "the image build failed: no Dockerfile at \(dockerfile)", retryable: false)
        }
        let ref = "\(name):\(args.imageTag ?? "latest")"
        var argv = [cli.name == "buildah" ? "bud" : "build", "-t", ref, "-f", dockerfile]
        for (k, v) in (args.buildArgs ?? [:]).sorted(by: { $0.key < $1.key }) { argv += ["--build-arg", "\(k)=\(v)"] }
        if let p = args.platform { argv += ["--platform", p] }
        argv.append(contextDir)
        context.progress(0.1, "building \(ref) with \(cli.name)")
        do {
            _ = try ExternalTool.run(cli.path, argv, context: context, failure: "build_error")
        } catch let error as ToolError where error.code == "build_error" {
            if cli.name == "docker" && error.message.contains("Cannot connect to the Docker daemon") {
                throw ToolError.environment("docker is installed but its daemon does not answer: start the Docker daemon, or install podman or buildah")
            }
            throw ToolError(code: error.code, message: "the image build failed: " + error.message, retryable: true)
        }
        return ImageResult(imageRef: ref, cli: cli.name, command: [cli.name] + argv)
    }

    // MARK: tag, push, pull

    struct TagArgs: Decodable {
        var sourceImage: String?
        var targetImage: String?
        var containerCLI: String?
        var imageRef: String?
        var targetTag: String?
        var tagSuffix: String?
        enum CodingKeys: String, CodingKey {
            case sourceImage = "source_image", targetImage = "target_image", containerCLI = "container_cli"
            case imageRef = "image_ref", targetTag = "target_tag", tagSuffix = "tag_suffix"
        }
    }

    /// `registry/app:tag` split into `registry/app` and `tag` (`latest` when none is written).
    static func splitTag(_ ref: String) -> (repository: String, tag: String) {
        let slash = ref.lastIndex(of: "/").map { ref.index(after: $0) } ?? ref.startIndex
        guard let colon = ref[slash...].lastIndex(of: ":") else { return (ref, "latest") }
        return (String(ref[..<colon]), String(ref[ref.index(after: colon)...]))
    }

    static let refOutput = outputSchema(#""image_ref":{"type":"string"},"cli":{"type":"string"},"command":{"type":"array"}"#)

    static let tag = Tool(
        name: "tag_image_atomic", title: "Tag an image",
        description: "Tags source_image (default image_ref) as target_image with the container CLI (CLI tag SOURCE TARGET); without target_image the target is the source's repository with target_tag, or with the source's tag followed by -TAG_SUFFIX. Yields the target as image_ref.",
        inputSchema: objectSchema("""
            "source_image":{"type":"string","minLength":1},"target_image":{"type":"string","minLength":1},\(cliProperty),\
            "image_ref":{"type":"string","minLength":1},"target_tag":{"type":"string","minLength":1},\
            "tag_suffix":{"type":"string","minLength":1}
            """),
        outputSchema: refOutput,
        idempotent: true, sideEffects: true, capabilities: Sandbox.containerCLI, arguments: TagArgs.self
    ) { args, context in
        guard let source = args.sourceImage ?? args.imageRef else {
            throw ToolError.invalidArguments("give source_image (or image_ref): the image to tag")
        }
        let (repository, currentTag) = splitTag(source)
        guard let target = args.targetImage ?? (args.targetTag ?? args.tagSuffix.map { "\(currentTag)-\($0)" }).map({ "\(repository):\($0)" }) else {
            throw ToolError.invalidArguments("give target_image, target_tag or tag_suffix: the name to tag \(source) as")
        }
        let cli = try ExternalTool.containerCLI(preferred: args.containerCLI, context: context)
        let argv = ["tag", source, target]
        _ = try ExternalTool.run(cli.path, argv, context: context, failure: "tag_failed", retryable: false)
        return ImageResult(imageRef: target, cli: cli.name, command: [cli.name] + argv)
    }

    struct RefArgs: Decodable {
        var imageRef: String
        var containerCLI: String?
        enum CodingKeys: String, CodingKey { case imageRef = "image_ref", containerCLI = "container_cli" }
    }

    static func transfer(_ verb: String, title: String, description: String) -> Tool {
        Tool(name: "\(verb)_image_atomic", title: title, description: description,
             inputSchema: objectSchema(#""image_ref":{"type":"string","minLength":1},"# + cliProperty, required: ["image_ref"]),
             outputSchema: refOutput,
             idempotent: true, sideEffects: true, capabilities: Sandbox.containerCLI, arguments: RefArgs.self
        ) { args, context in
            let cli = try ExternalTool.containerCLI(preferred: args.containerCLI, context: context)
            let argv = [verb, args.imageRef]
            _ = try ExternalTool.run(cli.path, argv, context: context, failure: "\(verb)_failed")
            return ImageResult(imageRef: args.imageRef, cli: cli.name, command: [cli.name] + argv)
        }
    }

    static let push = transfer("push", title: "Push an image", description: "Pushes image_ref to its registry with the container CLI (CLI push REF); the CLI's own login is used.")
    static let pull = transfer("pull", title: "Pull an image", description: "Pulls image_ref with the container CLI (CLI pull REF).")

    // MARK: scan_image_security_atomic

    struct ScanArgs: Decodable {
        var imageRef: String
        var severityThreshold: String?
        var failOnFindings: Bool?
        var scanner: String?
        enum CodingKeys: String, CodingKey {
            case imageRef = "image_ref", severityThreshold = "severity_threshold", failOnFindings = "fail_on_findings", scanner
        }
    }

    struct Vulnerability: Encodable {
        var id: String
        var package: String
        var installedVersion: String
        var fixedVersion: String?
        var severity: String
        enum CodingKeys: String, CodingKey {
            case id, package, installedVersion = "installed_version", fixedVersion = "fixed_version", severity
        }
    }

    struct ScanResult: Encodable {
        var imageRef: String
        var scanner: String
        var counts: [String: Int]
        var vulnerabilities: [Vulnerability]
        var passed: Bool
        var severityThreshold: String
        enum CodingKeys: String, CodingKey {
            case imageRef = "image_ref", scanner, counts, vulnerabilities, passed, severityThreshold = "severity_threshold"
        }
    }

    static let severities = ["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"]

    static let scan = Tool(
        name: "scan_image_security_atomic", title: "Scan an image for vulnerabilities",
        description: "Scans image_ref with trivy (trivy image --format json --quiet REF) or grype (grype REF -o json), counts vulnerabilities by severity and lists them (at most 200). passed is false when one reaches severity_threshold; with fail_on_findings (default) the call then fails with code security_issues.",
        inputSchema: objectSchema("""
            "image_ref":{"type":"string","minLength":1},\
            "severity_threshold":{"enum":["LOW","MEDIUM","HIGH","CRITICAL"],"default":"HIGH"},\
            "fail_on_findings":{"type":"boolean","default":true},"scanner":{"enum":["trivy","grype"]}
            """, required: ["image_ref"]),
        // severity_threshold is left out of the declared keys: it means something else to the Dockerfile check.
        outputSchema: outputSchema(#""image_ref":{"type":"string"},"scanner":{"type":"string"},"counts":{"type":"object"},"vulnerabilities":{"type":"array"},"passed":{"type":"boolean"}"#),
        idempotent: true, capabilities: Sandbox.network, arguments: ScanArgs.self
    ) { args, context in
        let scanner = try ExternalTool.scanner(preferred: args.scanner)
        let argv = scanner.name == "trivy" ? ["image", "--format", "json", "--quiet", args.imageRef] : [args.imageRef, "-o", "json"]
        let outcome = try ExternalTool.run(scanner.path, argv, context: context, failure: "scan_failed")
        let vulns = try ScanReports.parse(scanner.name, outcome.stdout)
        let threshold = args.severityThreshold ?? "HIGH"
        let rank = severities.firstIndex(of: threshold) ?? 3
        var counts: [String: Int] = [:]
        for s in severities { counts[s.lowercased()] = 0 }
        for v in vulns { counts[v.severity.lowercased(), default: 0] += 1 }
        let blocking = vulns.filter { (severities.firstIndex(of: $0.severity) ?? 0) >= rank }
        if !blocking.isEmpty && (args.failOnFindings ?? true) {
            throw ToolError(code: "security_issues",
                            message: "\(blocking.count) vulnerabilit\(blocking.count == 1 ? "y" : "ies") at or above \(threshold) in \(args.imageRef) (\(scanner.name)): "
                                + blocking.prefix(5).map { "\($0.id) in \($0.package)" }.joined(separator: ", "))
        }
        return ScanResult(imageRef: args.imageRef, scanner: scanner.name, counts: counts, vulnerabilities: Array(vulns.prefix(200)),
                          passed: blocking.isEmpty, severityThreshold: threshold)
    }
}

/// The JSON reports of trivy and grype, reduced to what the scan tool returns.
enum ScanReports {
    struct Trivy: Decodable {
        struct Result: Decodable { var Vulnerabilities: [V]? }
        struct V: Decodable { var VulnerabilityID: String; var PkgName: String; var InstalledVersion: String?; var FixedVersion: String?; var Severity: String }
        var Results: [Result]?
    }

    struct Grype: Decodable {
        struct Match: Decodable { var vulnerability: Vuln; var artifact: Artifact }
        struct Vuln: Decodable { var id: String; var severity: String?; var fix: Fix? }
        struct Fix: Decodable { var versions: [String]? }
        struct Artifact: Decodable { var name: String; var version: String? }
        var matches: [Match]?
    }

    static func parse(_ scanner: String, _ text: String) throws(ToolError) -> [ImageTools.Vulnerability] {
        do {
            if scanner == "trivy" {
                let report = try JSONDecoder().decode(Trivy.self, from: Data(text.utf8))
                return (report.Results ?? []).flatMap { $0.Vulnerabilities ?? [] }.map {
                    ImageTools.Vulnerability(id: $0.VulnerabilityID, package: $0.PkgName, installedVersion: $0.InstalledVersion ?? "",
                                             fixedVersion: $0.FixedVersion, severity: $0.Severity.uppercased())
                }
            }
            let report = try JSONDecoder().decode(Grype.self, from: Data(text.utf8))
            return (report.matches ?? []).map {
                ImageTools.Vulnerability(id: $0.vulnerability.id, package: $0.artifact.name, installedVersion: $0.artifact.version ?? "",
                                         fixedVersion: $0.vulnerability.fix?.versions?.first,
                                         severity: ($0.vulnerability.severity ?? "UNKNOWN").uppercased())
            }
        } catch {
            throw ToolError(code: "scan_failed", message: "\(scanner) printed a report that cannot be read as JSON: \(error)")
        }
    }
}
