import FoundationEssentials

/// Finds secrets in a tree of files: private keys, cloud keys, tokens, passwords in configuration.
/// A finding names the file and line and shows the secret masked: its first four characters, then `****`.
struct SecretScanner {
    struct Finding: Codable, Sendable, Equatable {
        var file: String
        var line: Int
        var rule: String
        var severity: String
        var match: String
    }

    var filePatterns: [String] = []
    var excludePatterns: [String] = []

    /// Files whose bare `key = value` lines are configuration (elsewhere only quoted values count).
    static let configExtensions = [".env", ".yaml", ".yml", ".json", ".properties", ".ini", ".toml", ".conf", ".cfg"]
    /// Values that are placeholders, not secrets.
    static let placeholders: Set<String> = ["changeme", "change_me", "password", "secret", "example", "placeholder",
                                            "your_password", "your-password", "xxxxxx", "redacted", "none", "null",
                                            "true", "false", "required", "optional"]
    static let assignmentKeys = ["password", "passwd", "pwd", "secret", "api_key", "apikey", "access_token",
                                 "auth_token", "client_secret", "secret_key"]

    func scan(root: String) -> (findings: [Finding], filesScanned: Int) {
        var findings: [Finding] = []
        var scanned = 0
        for file in RepositoryFiles.list(root, skipping: [".git", "node_modules"]) {
            if !filePatterns.isEmpty && !filePatterns.contains(where: { RepositoryFiles.matches(file, $0) }) { continue }
            if excludePatterns.contains(where: { RepositoryFiles.matches(file, $0) }) { continue }
            guard let text = RepositoryFiles.text("\(root)/\(file)") else { continue }
            scanned += 1
            findings += scan(text: text, file: file)
        }
        return (findings, scanned)
    }

    func scan(text: String, file: String) -> [Finding] {
        let isConfig = Self.configExtensions.contains { file.hasSuffix($0) } || file.split(separator: "/").last?.hasPrefix(".env") == true
        var findings: [Finding] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            var hit: (String, String, String)? = nil  // rule, severity, secret
            if let r = line.find("-----BEGIN "), line[r.upperBound...].contains("PRIVATE KEY") {
                hit = ("private_key", "critical", String(line[r.lowerBound...]).trimmed(" \t"))
            } else if let key = Self.token(in: line, prefixes: ["AKIA", "ASIA"], bodyLength: 16...16, body: Self.upperAlnum) {
                hit = ("aws_access_key_id", "critical", key)
            } else if let key = Self.token(in: line, prefixes: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"], bodyLength: 36...255, body: Self.tokenChar) {
                hit = ("github_token", "high", key)
            } else if let key = Self.token(in: line, prefixes: ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"], bodyLength: 10...255, body: Self.tokenChar) {
                hit = ("slack_token", "high", key)
            } else if let key = Self.token(in: line, prefixes: ["AIza"], bodyLength: 35...35, body: Self.tokenChar) {
                hit = ("google_api_key", "high", key)
            } else if let key = Self.token(in: line, prefixes: ["sk_live_", "rk_live_"], bodyLength: 16...255, body: Self.tokenChar) {
                hit = ("stripe_key", "high", key)
            } else if let value = Self.assignment(in: line, config: isConfig) {
                hit = (value.key.contains("aws_secret") ? "aws_secret_access_key" : "password_assignment", "high", value.value)
            }
            if let (rule, severity, secret) = hit {
                findings.append(Finding(file: file, line: i + 1, rule: rule, severity: severity,
                                        match: rule == "private_key" ? secret : Self.mask(secret)))
            }
        }
        return findings
    }

    static func mask(_ secret: String) -> String { String(secret.prefix(4)) + "****" }

    static func upperAlnum(_ c: Character) -> Bool { c.isASCII && (c.isUppercase || c.isNumber) }
    static func tokenChar(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-") }

    /// A token starting with one of `prefixes` at a word boundary, whose body has `bodyLength` characters.
    static func token(in line: String, prefixes: [String], bodyLength: ClosedRange<Int>, body: (Character) -> Bool) -> String? {
        for prefix in prefixes {
            var search = line.startIndex..<line.endIndex
            while let r = line.find(prefix, in: search) {
                search = r.upperBound..<line.endIndex
                if r.lowerBound > line.startIndex, tokenChar(line[line.index(before: r.lowerBound)]) { continue }
                let rest = line[r.upperBound...].prefix(while: body)
                if bodyLength.contains(rest.count) {
                    let after = line.index(r.upperBound, offsetBy: rest.count)
                    if after == line.endIndex || !tokenChar(line[after]) { return prefix + rest }
                }
            }
        }
        return nil
    }

    /// `key = "value"` / `key: value` where key names a password or secret and the value is a literal.
    static func assignment(in line: String, config: Bool) -> (key: String, value: String)? {
        let lower = line.lowercased()
        guard let sep = lower.firstIndex(where: { $0 == "=" || $0 == ":" }) else { return nil }
        let keyPart = lower[..<sep].trimmed(" \t\"'-")
        let keyWord = keyPart.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).last.map(String.init) ?? ""
        guard assignmentKeys.contains(where: { keyWord == $0 || keyWord.hasSuffix("_" + $0) }) || keyWord == "aws_secret_access_key" else { return nil }
        var rest = line[line.index(after: sep)...].drop { $0 == " " || $0 == "\t" || $0 == "=" }
        let value: Substring
        if let q = rest.first, q == "\"" || q == "'" {
            rest = rest.dropFirst()
            guard let end = rest.firstIndex(of: q) else { return nil }
            value = rest[..<end]
        } else {
            guard config else { return nil }
            value = rest.prefix { !$0.isWhitespace && $0 != "#" && $0 != "," }
        }
        let v = String(value)
        guard v.count >= 6, !placeholders.contains(v.lowercased()),
              !v.contains(where: { "$<>{}()[]%*".contains($0) }), Set(v).count > 2 else { return nil }
        return (keyWord, v)
    }
}
