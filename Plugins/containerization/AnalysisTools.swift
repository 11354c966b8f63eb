import FoundationEssentials
import WfhostPluginKit

/// The tools that read and write files: analysis, Dockerfiles, secrets, manifests.
enum AnalysisTools {
    // MARK: analyze_repository_atomic

    struct AnalyzeArgs: Decodable {
        var repoUrl: String
        var branch: String?
        var languageHint: String?
        var checkoutDir: String?
        enum CodingKeys: String, CodingKey {
            case repoUrl = "repo_url", branch, languageHint = "language_hint", checkoutDir = "checkout_dir"
        }
    }

    static func isGitURL(_ s: String) -> Bool {
        ["https://", "http://", "ssh://", "git://", "git@"].contains { s.hasPrefix($0) }
    }

    static let analyze = Tool(
        name: "analyze_repository_atomic", title: "Analyse a repository",
        description: "Reads a repository's project files and reports its language(s), framework, build system, entry point, exposed ports, dependency files and whether it has a Dockerfile. repo_url is a local path, a file:// URL, or a git URL (cloned with git into checkout_dir, default /tmp/wfhost-checkouts/NAME).",
        inputSchema: objectSchema("""
            "repo_url":{"type":"string","minLength":1},"branch":{"type":"string"},\
            "language_hint":{"type":"string"},"checkout_dir":{"type":"string"}
            """, required: ["repo_url"]),
        outputSchema: outputSchema("""
            "repo_path":{"type":"string"},"app_name":{"type":"string"},"language":{"type":"string"},\
            "languages":{"type":"array"},"language_version":{"type":"string"},"framework":{"type":"string"},\
            "build_system":{"type":"string"},"entry_point":{"type":"string"},"ports":{"type":"array"},\
            "port":{"type":"integer"},"dependency_files":{"type":"array"},"has_dockerfile":{"type":"boolean"},\
            "dockerfile_exists":{"type":"boolean"}
            """),
        idempotent: true, capabilities: Capabilities(network: true, readPaths: ["/"], writePaths: ["/tmp"]),
        arguments: AnalyzeArgs.self
    ) { args, context in
        var root: String
        if isGitURL(args.repoUrl) {
            guard let git = Subprocess.which("git") else {
                throw ToolError.environment("\(args.repoUrl) is a git URL and git is not on PATH: install git, or pass a local path")
            }
            let name = RepositoryAnalyzer.kubernetesName(String(args.repoUrl.split(separator: "/").last ?? "repo")
                .replacing(".git", with: ""))
            root = RepositoryFiles.absolute(args.checkoutDir ?? "/tmp/wfhost-checkouts/\(name)")
            if RepositoryFiles.exists(root) {
                throw ToolError.invalidArguments("the checkout directory \(root) already exists; remove it or pass another checkout_dir")
            }
            var cloneArgs = ["clone", "--depth", "1"]
            if let branch = args.branch { cloneArgs += ["--branch", branch] }
            _ = try ExternalTool.run(git, cloneArgs + ["--", args.repoUrl, root], context: context, failure: "clone_failed")
        } else {
            root = RepositoryFiles.absolute(args.repoUrl)
            if let branch = args.branch { context.log(.warning, "branch '\(branch)' ignored: \(root) is a local path, analysed as it is") }
        }
        context.progress(0.5, "reading \(root)")
        return try RepositoryAnalyzer(root: root).analyze(languageHint: args.languageHint)
    }

    // MARK: generate_dockerfile

    struct GenerateArgs: Decodable {
        var repoPath: String
        var analysis: RepositoryAnalysis?
        var baseImage: String?
        var includeHealthCheck: Bool?
        var dryRun: Bool?
        var overwrite: Bool?
        enum CodingKeys: String, CodingKey {
            case repoPath = "repo_path", analysis, baseImage = "base_image", includeHealthCheck = "include_health_check"
            case dryRun = "dry_run", overwrite
        }
    }

    struct GenerateResult: Encodable {
        var dockerfilePath: String
        var content: String
        var written: Bool
        var baseImage: String
        enum CodingKeys: String, CodingKey { case dockerfilePath = "dockerfile_path", content, written, baseImage = "base_image" }
    }

    static let generateDockerfile = Tool(
        name: "generate_dockerfile", title: "Generate a Dockerfile",
        description: "Writes a multi-stage Dockerfile suited to the repository (from analysis, or analysing repo_path itself) to REPO/Dockerfile; with dry_run it only returns the text. An existing Dockerfile is kept unless overwrite is true.",
        inputSchema: objectSchema("""
            "repo_path":{"type":"string","minLength":1},"analysis":{"type":"object"},"base_image":{"type":"string"},\
            "include_health_check":{"type":"boolean","default":true},"dry_run":{"type":"boolean","default":false},\
            "overwrite":{"type":"boolean","default":false}
            """, required: ["repo_path"]),
        outputSchema: outputSchema(#""dockerfile_path":{"type":"string"},"content":{"type":"string"},"written":{"type":"boolean"},"base_image":{"type":"string"}"#),
        sideEffects: true, capabilities: Sandbox.writesWhereTold, arguments: GenerateArgs.self
    ) { args, context in
        let root = RepositoryFiles.absolute(args.repoPath)
        let analysis = try args.analysis ?? RepositoryAnalyzer(root: root).analyze(languageHint: nil)
        let text = DockerfileGenerator.render(analysis, baseImage: args.baseImage, healthCheck: args.includeHealthCheck ?? true)
        let path = "\(root)/Dockerfile"
        let runtime = args.baseImage ?? DockerfileGenerator.images(for: analysis).runtime
        if args.dryRun ?? false { return GenerateResult(dockerfilePath: path, content: text, written: false, baseImage: runtime) }
        if RepositoryFiles.exists(path) && !(args.overwrite ?? false) {
            throw ToolError(code: "already_exists", message: "\(path) already exists; pass overwrite: true to replace it, or dry_run: true to only see the generated text")
        }
        try writeFile(text, to: path)
        context.log(.info, "wrote \(path)")
        return GenerateResult(dockerfilePath: path, content: text, written: true, baseImage: runtime)
    }

    // MARK: validate_dockerfile_atomic

    struct ValidateArgs: Decodable {
        var dockerfilePath: String?
        var dockerfileContent: String?
        var ignoreRules: [String]?
        var trustedRegistries: [String]?
        var severityThreshold: DockerfileValidator.Severity?
        var failOnFindings: Bool?
        var repoPath: String?
        enum CodingKeys: String, CodingKey {
            case repoPath = "repo_path"
            case dockerfilePath = "dockerfile_path", dockerfileContent = "dockerfile_content", ignoreRules = "ignore_rules"
            case trustedRegistries = "trusted_registries", severityThreshold = "severity_threshold", failOnFindings = "fail_on_findings"
        }
    }

    struct ValidateResult: Encodable {
        var findings: [DockerfileValidator.Finding]
        var counts: [String: Int]
        var passed: Bool
        var severityThreshold: DockerfileValidator.Severity
        var dockerfilePath: String?
        enum CodingKeys: String, CodingKey {
            case findings, counts, passed, severityThreshold = "severity_threshold", dockerfilePath = "dockerfile_path"
        }
    }

    static let validateDockerfile = Tool(
        name: "validate_dockerfile_atomic", title: "Validate a Dockerfile",
        description: "Checks a Dockerfile (dockerfile_path or dockerfile_content; with neither, REPO_PATH/Dockerfile) and returns findings with line numbers: DF001 untagged or latest base image, DF002 base image outside trusted_registries, DF003 runs as root, DF004 package-manager cache left behind, DF005 ADD where COPY fits, DF006 no HEALTHCHECK, DF007 secret in ENV/ARG, DF008 MAINTAINER, DF009 no FROM. passed is false when a finding reaches severity_threshold; with fail_on_findings the call then fails with code validation_failed.",
        inputSchema: objectSchema("""
            "dockerfile_path":{"type":"string"},"dockerfile_content":{"type":"string"},\
            "ignore_rules":{"type":"array","items":{"type":"string"},"default":[]},\
            "trusted_registries":{"type":"array","items":{"type":"string"},"default":[]},\
            "severity_threshold":{"enum":["info","warning","error"],"default":"error"},\
            "fail_on_findings":{"type":"boolean","default":false},"repo_path":{"type":"string","minLength":1}
            """),
        // severity_threshold is left out of the declared keys: it means something else to the image scan.
        outputSchema: outputSchema(#""findings":{"type":"array"},"counts":{"type":"object"},"passed":{"type":"boolean"},"dockerfile_path":{"type":"string"}"#),
        idempotent: true, capabilities: Capabilities(readPaths: ["${arg:dockerfile_path}", "${arg:repo_path}"]),
        arguments: ValidateArgs.self
    ) { args, context in
        let text: String
        var path: String? = nil
        switch (args.dockerfilePath ?? args.repoPath.map { "\($0)/Dockerfile" }, args.dockerfileContent) {
        case (nil, let content?): text = content
        case (let p?, nil):
            let abs = RepositoryFiles.absolute(p)
            guard let t = RepositoryFiles.text(abs) else {
                throw ToolError(code: "not_found", message: "cannot read the Dockerfile \(abs) (missing, unreadable, binary or over 1 MiB)")
            }
            text = t
            path = abs
        default: throw ToolError.invalidArguments("give exactly one of dockerfile_path and dockerfile_content (or repo_path, for REPO_PATH/Dockerfile)")
        }
        let validator = DockerfileValidator(ignoreRules: Set(args.ignoreRules ?? []), trustedRegistries: args.trustedRegistries ?? [])
        let findings = validator.validate(text)
        let threshold = args.severityThreshold ?? .error
        var counts = ["error": 0, "warning": 0, "info": 0]
        for f in findings { counts[f.severity.rawValue, default: 0] += 1 }
        let blocking = findings.filter { $0.severity >= threshold }
        for f in findings { context.log(f.severity == .error ? .error : .info, "line \(f.line): \(f.rule) \(f.message)") }
        if !blocking.isEmpty && (args.failOnFindings ?? false) {
            let list = blocking.prefix(5).map { "line \($0.line): \($0.rule) \($0.message)" }.joined(separator: "; ")
            throw ToolError(code: "validation_failed", message: "the Dockerfile has \(blocking.count) finding(s) at or above \(threshold.rawValue): \(list)")
        }
        return ValidateResult(findings: findings, counts: counts, passed: blocking.isEmpty, severityThreshold: threshold, dockerfilePath: path)
    }

    // MARK: scan_secrets_atomic

    struct SecretArgs: Decodable {
        var scanPath: String?
        var repoPath: String?
        var filePatterns: [String]?
        var excludePatterns: [String]?
        var failOnFindings: Bool?
        enum CodingKeys: String, CodingKey {
            case scanPath = "scan_path", repoPath = "repo_path", filePatterns = "file_patterns", excludePatterns = "exclude_patterns", failOnFindings = "fail_on_findings"
        }
    }

    struct SecretResult: Encodable {
        var findings: [SecretScanner.Finding]
        var filesScanned: Int
        var clean: Bool
        var scanPath: String
        enum CodingKeys: String, CodingKey { case findings, filesScanned = "files_scanned", clean, scanPath = "scan_path" }
    }

    static let scanSecrets = Tool(
        name: "scan_secrets_atomic", title: "Scan for secrets",
        description: "Scans the files under scan_path (or the one file; default repo_path) for private keys, AWS keys, GitHub/Slack/Google/Stripe tokens and passwords in configuration. Findings give file, line and rule, with the secret masked (first 4 characters, then ****). file_patterns and exclude_patterns are shell globs matched against relative paths and base names. With fail_on_findings the call fails with code secrets_found.",
        inputSchema: objectSchema("""
            "scan_path":{"type":"string","minLength":1},\
            "file_patterns":{"type":"array","items":{"type":"string"},"default":[]},\
            "exclude_patterns":{"type":"array","items":{"type":"string"},"default":[]},\
            "fail_on_findings":{"type":"boolean","default":false},"repo_path":{"type":"string","minLength":1}
            """),
        outputSchema: outputSchema(#""findings":{"type":"array"},"files_scanned":{"type":"integer"},"clean":{"type":"boolean"},"scan_path":{"type":"string"}"#),
        idempotent: true, capabilities: Capabilities(readPaths: ["${arg:scan_path}", "${arg:repo_path}"]), arguments: SecretArgs.self
    ) { args, context in
        guard let given = args.scanPath ?? args.repoPath else {
            throw ToolError.invalidArguments("give scan_path (or repo_path): the directory or file to scan")
        }
        let path = RepositoryFiles.absolute(given)
        let scanner = SecretScanner(filePatterns: args.filePatterns ?? [], excludePatterns: args.excludePatterns ?? [])
        let findings: [SecretScanner.Finding]
        let count: Int
        if RepositoryFiles.isDirectory(path) {
            (findings, count) = scanner.scan(root: path)
        } else if let text = RepositoryFiles.text(path) {
            findings = scanner.scan(text: text, file: path.split(separator: "/").last.map(String.init) ?? path)
            count = 1
        } else {
            throw ToolError(code: "not_found", message: "cannot read \(path) (missing, unreadable, binary or over 1 MiB)")
        }
        for f in findings { context.log(.warning, "\(f.file):\(f.line): \(f.rule) \(f.match)") }
        if !findings.isEmpty && (args.failOnFindings ?? false) {
            let list = findings.prefix(5).map { "\($0.file):\($0.line) \($0.rule)" }.joined(separator: ", ")
            throw ToolError(code: "secrets_found", message: "\(findings.count) secret(s) found in \(path): \(list)")
        }
        return SecretResult(findings: findings, filesScanned: count, clean: findings.isEmpty, scanPath: path)
    }

    // MARK: generate_manifests_atomic

    struct ManifestArgs: Decodable {
        var appName: String
        var imageRef: String
        var port: Int?
        var replicas: Int?
        var namespace: String?
        var serviceType: String?
        var environment: EnvironmentArgument?
        var resources: ManifestGenerator.Resources?
        var outputDir: String?
        var repoPath: String?
        enum CodingKeys: String, CodingKey {
            case appName = "app_name", imageRef = "image_ref", port, replicas, namespace, serviceType = "service_type"
            case environment, resources, outputDir = "output_dir", repoPath = "repo_path"
        }
    }

    /// `environment`: the container's variables, or (a stage variable such as `environment: staging`) the name of
    /// the deployment environment, passed as the variable ENVIRONMENT.
    enum EnvironmentArgument: Decodable {
        case variables([String: String])
        case name(String)
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let name = try? container.decode(String.self) { self = .name(name) } else { self = .variables(try container.decode([String: String].self)) }
        }
        var variables: [String: String] {
            switch self {
            case .variables(let v): return v
            case .name(let n): return ["ENVIRONMENT": n]
            }
        }
    }

    struct ManifestResult: Encodable {
        var deployment: String
        var service: String
        var deploymentPath: String?
        var servicePath: String?
        var outputDir: String?
        var written: Bool
        /// `output_dir` under the session context's name, for the deploy tool.
        var manifestsPath: String? = nil
        enum CodingKeys: String, CodingKey {
            case deployment, service, deploymentPath = "deployment_path", servicePath = "service_path"
            case outputDir = "output_dir", written, manifestsPath = "manifests_path"
        }
    }

    static let generateManifests = Tool(
        name: "generate_manifests_atomic", title: "Generate Kubernetes manifests",
        description: "Generates a Kubernetes Deployment (non-root, probes, resources, env) and Service for app_name running image_ref; writes deployment.yaml and service.yaml to output_dir (default REPO_PATH/k8s when repo_path is given; the directory is returned as manifests_path), and always returns the text. environment is the container's variables, or a name (staging) passed as ENVIRONMENT.",
        inputSchema: objectSchema("""
            "app_name":{"type":"string","pattern":"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$","maxLength":63},\
            "image_ref":{"type":"string","minLength":1},"port":{"type":"integer","minimum":1,"maximum":65535,"default":8080},\
            "replicas":{"type":"integer","minimum":0,"default":2},"namespace":{"type":"string","default":"default"},\
            "service_type":{"enum":["ClusterIP","NodePort","LoadBalancer"],"default":"ClusterIP"},\
            "environment":{"anyOf":[{"type":"object","additionalProperties":{"type":"string"}},{"type":"string"}],"default":{}},\
            "resources":{"type":"object","properties":{"cpu_request":{"type":"string"},"memory_request":{"type":"string"},\
            "cpu_limit":{"type":"string"},"memory_limit":{"type":"string"}},"additionalProperties":false},\
            "output_dir":{"type":"string"},"repo_path":{"type":"string","minLength":1}
            """, required: ["app_name", "image_ref"]),
        outputSchema: outputSchema(#""deployment":{"type":"string"},"service":{"type":"string"},"deployment_path":{"type":"string"},"service_path":{"type":"string"},"output_dir":{"type":"string"},"written":{"type":"boolean"},"manifests_path":{"type":"string"}"#),
        sideEffects: true, capabilities: Sandbox.writesWhereTold, arguments: ManifestArgs.self
    ) { args, context in
        let generator = ManifestGenerator(
            appName: args.appName, imageRef: args.imageRef, port: args.port ?? 8080, replicas: args.replicas ?? 2,
            namespace: args.namespace ?? "default", serviceType: args.serviceType ?? "ClusterIP",
            environment: args.environment?.variables ?? [:], resources: args.resources ?? ManifestGenerator.Resources())
        let deployment = generator.deployment, service = generator.service
        guard let dir = (args.outputDir ?? args.repoPath.map { "\($0)/k8s" }).map(RepositoryFiles.absolute) else {
            return ManifestResult(deployment: deployment, service: service, written: false)
        }
        try writeFile(deployment, to: "\(dir)/deployment.yaml")
        try writeFile(service, to: "\(dir)/service.yaml")
        context.log(.info, "wrote \(dir)/deployment.yaml and \(dir)/service.yaml")
        return ManifestResult(deployment: deployment, service: service, deploymentPath: "\(dir)/deployment.yaml",
                              servicePath: "\(dir)/service.yaml", outputDir: dir, written: true, manifestsPath: dir)
    }
}
