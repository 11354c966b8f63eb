import FoundationEssentials

/// Checks a Dockerfile's text and reports findings with the line they start on.
struct DockerfileValidator {
    enum Severity: String, Codable, Sendable, Comparable, CaseIterable {
        case info, warning, error
        var rank: Int { Severity.allCases.firstIndex(of: self) ?? 0 }
        static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    struct Finding: Codable, Sendable, Equatable {
        var rule: String
        var severity: Severity
        var line: Int
        var message: String
    }

    /// One instruction, continuation lines joined.
    struct Instruction {
        var line: Int
        var keyword: String
        var arguments: String
    }

    var ignoreRules: Set<String> = []
    var trustedRegistries: [String] = []

    /// The rules, for the tool's documentation.
    static let rules: [(id: String, text: String)] = [
        ("DF001", "base image without a tag, or tagged latest"),
        ("DF002", "base image from a registry outside trusted_registries"),
        ("DF003", "the image runs as root (no USER, or USER root last)"),
        ("DF004", "package-manager cache left in the image"),
        ("DF005", "ADD for local files where COPY fits"),
        ("DF006", "no HEALTHCHECK"),
        ("DF007", "secret-looking value in ENV or ARG"),
        ("DF008", "MAINTAINER is deprecated; use a LABEL"),
        ("DF009", "no FROM instruction"),
    ]

    static func instructions(_ text: String) -> [Instruction] {
        var result: [Instruction] = []
        var pending: (line: Int, text: String)? = nil
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmed(" \t")
            if pending == nil && (line.isEmpty || line.hasPrefix("#")) { continue }
            if pending != nil && line.hasPrefix("#") { continue }
            let continued = line.hasSuffix("\\")
            let body = continued ? String(line.dropLast()) : line
            if var p = pending { p.text += " " + body; pending = p } else { pending = (i + 1, body) }
            if !continued, let p = pending {
                let parts = p.text.split(separator: " ", maxSplits: 1)
                result.append(Instruction(line: p.line, keyword: parts.first.map { $0.uppercased() } ?? "",
                                          arguments: parts.count > 1 ? parts[1].trimmed(" \t") : ""))
                pending = nil
            }
        }
        if let p = pending {
            let parts = p.text.split(separator: " ", maxSplits: 1)
            result.append(Instruction(line: p.line, keyword: parts.first.map { $0.uppercased() } ?? "",
                                      arguments: parts.count > 1 ? String(parts[1]) : ""))
        }
        return result
    }

    func validate(_ text: String) -> [Finding] {
        let all = Self.instructions(text)
        var findings: [Finding] = []
        func add(_ rule: String, _ severity: Severity, _ line: Int, _ message: String) {
            if !ignoreRules.contains(rule) { findings.append(Finding(rule: rule, severity: severity, line: line, message: message)) }
        }
        var stageNames = Set<String>()
        var lastUser: Instruction? = nil
        var lastFrom: Instruction? = nil
        for ins in all {
            switch ins.keyword {
            case "FROM":
                lastFrom = ins
                lastUser = nil
                let words = ins.arguments.split(separator: " ").filter { !$0.hasPrefix("--") }
                guard let image = words.first.map(String.init) else { continue }
                if words.count >= 3, words[1].uppercased() == "AS" { stageNames.insert(words[2].lowercased()) }
                if stageNames.contains(image.lowercased()) && !(words.count >= 3 && words[2].lowercased() == image.lowercased()) { continue }
                if image == "scratch" || image.contains("$") { continue }
                let (registry, tag, digest) = Self.parseImage(image)
                if digest == nil && (tag == nil || tag == "latest") {
                    add("DF001", .warning, ins.line, "base image '\(image)' is \(tag == nil ? "not tagged" : "tagged latest"); pin a version (or a digest) so builds are repeatable")
                }
                if !trustedRegistries.isEmpty && !trustedRegistries.contains(registry) {
                    add("DF002", .error, ins.line, "base image '\(image)' comes from \(registry), which is not a trusted registry (\(trustedRegistries.joined(separator: ", ")))")
                }
            case "USER": lastUser = ins
            case "RUN": checkPackageCaches(ins, add)
            case "ADD":
                let sources = ins.arguments.split(separator: " ").filter { !$0.hasPrefix("--") }.dropLast()
                let remoteOrArchive = sources.contains { s in
                    s.contains("://") || [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz"].contains { s.hasSuffix($0) }
                }
                if !remoteOrArchive {
                    add("DF005", .warning, ins.line, "ADD copies local files here; use COPY, which does nothing more than copy")
                }
            case "ENV", "ARG": checkSecrets(ins, add)
            case "MAINTAINER": add("DF008", .info, ins.line, "MAINTAINER is deprecated; use LABEL org.opencontainers.image.authors=...")
            default: break
            }
        }
        guard let from = lastFrom else {
            add("DF009", .error, 1, "no FROM instruction: a Dockerfile must start from a base image")
            return findings.sorted { ($0.line, $0.rule) < ($1.line, $1.rule) }
        }
        if let user = lastUser {
            let name = user.arguments.split(separator: ":").first.map(String.init) ?? ""
            if name == "root" || name == "0" {
                add("DF003", .warning, user.line, "the image runs as root; switch to an unprivileged USER before CMD")
            }
        } else {
            add("DF003", .warning, from.line, "no USER after the last FROM: the container runs as root; add a non-root USER")
        }
        if !all.contains(where: { $0.keyword == "HEALTHCHECK" }) {
            add("DF006", .info, from.line, "no HEALTHCHECK: the runtime cannot tell a hung container from a healthy one")
        }
        return findings.sorted { ($0.line, $0.rule) < ($1.line, $1.rule) }
    }

    private func checkPackageCaches(_ ins: Instruction, _ add: (String, Severity, Int, String) -> Void) {
        let cmd = ins.arguments
        if cmd.contains("apt-get install") && !cmd.contains("rm -rf /var/lib/apt/lists") {
            add("DF004", .warning, ins.line, "apt-get install leaves /var/lib/apt/lists in the layer; end the RUN with && rm -rf /var/lib/apt/lists/*")
        }
        if cmd.contains("apk add") && !cmd.contains("--no-cache") {
            add("DF004", .warning, ins.line, "apk add keeps its cache; use apk add --no-cache")
        }
        if (cmd.contains("pip install") || cmd.contains("pip3 install")) && !cmd.contains("--no-cache-dir") {
            add("DF004", .warning, ins.line, "pip install keeps its cache; add --no-cache-dir")
        }
        if cmd.contains("yum install") && !cmd.contains("yum clean all") {
            add("DF004", .warning, ins.line, "yum install keeps its cache; end the RUN with && yum clean all")
        }
    }

    static let secretWords = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL"]

    private func checkSecrets(_ ins: Instruction, _ add: (String, Severity, Int, String) -> Void) {
        // ENV a=b c=d, ENV a b, ARG a=b
        var pairs: [(String, String)] = []
        if ins.arguments.contains("=") {
            for word in ins.arguments.split(separator: " ") {
                let kv = word.split(separator: "=", maxSplits: 1)
                pairs.append((String(kv[0]), kv.count > 1 ? String(kv[1]) : ""))
            }
        } else {
            let kv = ins.arguments.split(separator: " ", maxSplits: 1)
            if let k = kv.first { pairs.append((String(k), kv.count > 1 ? String(kv[1]) : "")) }
        }
        for (key, value) in pairs {
            let v = value.trimmed("\"'")
            guard !v.isEmpty, !v.hasPrefix("$"), Self.secretWords.contains(where: { key.uppercased().contains($0) }) else { continue }
            add("DF007", .error, ins.line, "\(ins.keyword) \(key) holds a secret-looking value that stays in the image history; pass it at run time or use a build secret (--secret)")
        }
    }

    /// Splits an image reference into registry (docker.io when none), tag and digest.
    static func parseImage(_ ref: String) -> (registry: String, tag: String?, digest: String?) {
        var rest = ref
        var digest: String? = nil
        if let at = rest.firstIndex(of: "@") { digest = String(rest[rest.index(after: at)...]); rest = String(rest[..<at]) }
        var registry = "docker.io"
        let parts = rest.split(separator: "/", maxSplits: 1)
        if parts.count == 2, parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost" {
            registry = String(parts[0])
            rest = String(parts[1])
        }
        var tag: String? = nil
        if let colon = rest.lastIndex(of: ":") { tag = String(rest[rest.index(after: colon)...]) }
        return (registry, tag, digest)
    }
}
