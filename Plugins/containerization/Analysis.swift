import FoundationEssentials
import WfhostPluginKit

/// What `analyze_repository_atomic` found in a repository, read from its files.
struct RepositoryAnalysis: Codable, Sendable, Equatable {
    var repoPath: String
    var appName: String
    var language: String
    var languages: [String]
    var languageVersion: String?
    var framework: String?
    var buildSystem: String
    var entryPoint: String?
    var ports: [Int]
    /// The first of `ports`, or 8080 when none was found: the port manifests and health checks use.
    var port: Int
    var dependencyFiles: [String]
    var hasDockerfile: Bool
    /// The same as `hasDockerfile`, under the session context's name (conditions test `dockerfile_exists`).
    var dockerfileExists: Bool? = nil

    enum CodingKeys: String, CodingKey {
        case repoPath = "repo_path", appName = "app_name", language, languages, languageVersion = "language_version"
        case framework, buildSystem = "build_system", entryPoint = "entry_point", ports, port
        case dependencyFiles = "dependency_files", hasDockerfile = "has_dockerfile"
        case dockerfileExists = "dockerfile_exists"
    }
}

/// Reads a repository's project files and says what it is.
struct RepositoryAnalyzer {
    let root: String

    /// One language's findings before they are merged.
    struct Finding {
        var language: String
        var buildSystem: String
        var appName: String?
        var version: String?
        var framework: String?
        var entryPoint: String?
        var dependencyFiles: [String]
        var sourceExtensions: [String]
        var defaultPort: Int?
    }

    /// Analyses the repository.
    /// - Throws: `unsupported` when no project file of a known language is there.
    func analyze(languageHint: String?) throws(ToolError) -> RepositoryAnalysis {
        guard RepositoryFiles.isDirectory(root) else {
            throw ToolError(code: "not_found", message: "the repository \(root) does not exist or is not a directory")
        }
        let files = RepositoryFiles.list(root)
        var findings = [go(), node(), python(), java(files), swift(), rust(), dotnet(files)].compactMap { $0 }
        guard !findings.isEmpty else {
            throw ToolError(code: "unsupported",
                            message: "no project file of a supported language (go.mod, package.json, requirements.txt, pyproject.toml, pom.xml, build.gradle, Package.swift, Cargo.toml, *.csproj) in \(root)")
        }
        if let hint = languageHint?.lowercased(), let i = findings.firstIndex(where: { $0.language == hint || Self.aliases[hint] == $0.language }) {
            findings.insert(findings.remove(at: i), at: 0)
        }
        let primary = findings[0]
        var ports = Set<Int>()
        for file in files where primary.sourceExtensions.contains(where: { file.hasSuffix($0) }) {
            if let text = RepositoryFiles.text("\(root)/\(file)") { ports.formUnion(Self.ports(in: text)) }
        }
        if ports.isEmpty, let p = primary.defaultPort { ports.insert(p) }
        let dockerfile = files.contains { $0 == "Dockerfile" || $0.hasSuffix("/Dockerfile") }
        let base = root.split(separator: "/").last.map(String.init) ?? "app"
        return RepositoryAnalysis(
            repoPath: root, appName: Self.kubernetesName(primary.appName ?? base), language: primary.language,
            languages: findings.map(\.language), languageVersion: primary.version, framework: primary.framework,
            buildSystem: primary.buildSystem, entryPoint: primary.entryPoint, ports: ports.sorted(), port: ports.min() ?? 8080,
            dependencyFiles: findings.flatMap(\.dependencyFiles), hasDockerfile: dockerfile, dockerfileExists: dockerfile)
    }

    static let aliases = ["node": "javascript", "nodejs": "javascript", "js": "javascript", "ts": "typescript",
                          "golang": "go", "dotnet": "csharp", "c#": "csharp", "py": "python"]

    private func read(_ name: String) -> String? { RepositoryFiles.text("\(root)/\(name)") }
    private func has(_ name: String) -> Bool { RepositoryFiles.isFile("\(root)/\(name)") }
    private func present(_ names: [String]) -> [String] { names.filter(has) }

    // MARK: Languages

    private func go() -> Finding? {
        guard let mod = read("go.mod") else { return nil }
        let lines = mod.split(separator: "\n").map { $0.trimmed(" \t") }
        let module = lines.first { $0.hasPrefix("module ") }.map { String($0.dropFirst(7)).trimmed(" \t") }
        let version = lines.first { $0.hasPrefix("go ") }.map { String($0.dropFirst(3)) }
        let frameworks = [("github.com/gin-gonic/gin", "gin"), ("github.com/labstack/echo", "echo"),
                          ("github.com/gofiber/fiber", "fiber"), ("github.com/go-chi/chi", "chi")]
        var entry: String? = has("main.go") ? "." : nil
        if entry == nil, let cmds = try? FileManager.default.contentsOfDirectory(atPath: "\(root)/cmd") {  // no cmd/: none
            entry = cmds.sorted().first { has("cmd/\($0)/main.go") }.map { "./cmd/\($0)" }
        }
        return Finding(language: "go", buildSystem: "go", appName: module?.split(separator: "/").last.map(String.init),
                       version: version, framework: frameworks.first { mod.contains($0.0) }?.1, entryPoint: entry,
                       dependencyFiles: present(["go.mod", "go.sum"]), sourceExtensions: [".go"], defaultPort: nil)
    }

    private struct PackageJSON: Decodable {
        var name: String?
        var main: String?
        var scripts: [String: String]?
        var dependencies: [String: String]?
        var devDependencies: [String: String]?
        var engines: [String: String]?
    }

    private func node() -> Finding? {
        guard let text = read("package.json") else { return nil }
        let pkg = (try? JSONDecoder().decode(PackageJSON.self, from: Data(text.utf8)))  // malformed: still Node, fewer details
            ?? PackageJSON()
        let deps = (pkg.dependencies ?? [:]).merging(pkg.devDependencies ?? [:]) { a, _ in a }
        let framework = [("next", "nextjs"), ("@nestjs/core", "nestjs"), ("express", "express"), ("fastify", "fastify"),
                         ("koa", "koa")].first { deps[$0.0] != nil }?.1
        let buildSystem = has("pnpm-lock.yaml") ? "pnpm" : has("yarn.lock") ? "yarn" : "npm"
        var entry = pkg.main
        if entry == nil, let start = pkg.scripts?["start"], start.hasPrefix("node ") {
            entry = start.split(separator: " ").dropFirst().first { !$0.hasPrefix("-") }.map(String.init)
        }
        if entry == nil { entry = ["server.js", "index.js", "app.js", "src/index.js"].first(where: has) }
        let version = pkg.engines?["node"].flatMap { Self.firstNumber($0) }
        let language = has("tsconfig.json") ? "typescript" : "javascript"
        return Finding(language: language, buildSystem: buildSystem, appName: pkg.name, version: version,
                       framework: framework, entryPoint: entry,
                       dependencyFiles: present(["package.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml"]),
                       sourceExtensions: [".js", ".mjs", ".cjs", ".ts"], defaultPort: framework == "nextjs" ? 3000 : nil)
    }

    private func python() -> Finding? {
        let files = present(["requirements.txt", "pyproject.toml", "setup.py", "Pipfile", "poetry.lock"])
        guard !files.isEmpty else { return nil }
        let text = files.compactMap { read($0) }.joined(separator: "\n").lowercased()
        let framework = ["django", "fastapi", "flask"].first { text.contains($0) }
        let buildSystem = text.contains("[tool.poetry]") ? "poetry" : has("Pipfile") ? "pipenv" : "pip"
        let entry = ["manage.py", "main.py", "app.py", "wsgi.py", "server.py"].first(where: has)
        let version = read(".python-version")?.trimmed()
        let port = ["flask": 5000, "django": 8000, "fastapi": 8000][framework ?? ""]
        return Finding(language: "python", buildSystem: buildSystem, appName: nil, version: version, framework: framework,
                       entryPoint: entry, dependencyFiles: files, sourceExtensions: [".py"], defaultPort: port)
    }

    private func java(_ files: [String]) -> Finding? {
        if let pom = read("pom.xml") {
            var body = pom
            if let start = body.find("<parent>"), let end = body.find("</parent>"), start.upperBound <= end.lowerBound {
                body.removeSubrange(start.lowerBound..<end.upperBound)
            }
            let artifact = Self.xmlElement("artifactId", in: body)
            let version = Self.xmlElement("java.version", in: pom) ?? Self.xmlElement("maven.compiler.release", in: pom)
                ?? Self.xmlElement("maven.compiler.source", in: pom)
            let spring = pom.contains("spring-boot")
            return Finding(language: "java", buildSystem: "maven", appName: artifact, version: version,
                           framework: spring ? "spring-boot" : nil, entryPoint: artifact.map { "target/\($0).jar" },
                           dependencyFiles: present(["pom.xml"]), sourceExtensions: [".java", ".properties"],
                           defaultPort: spring ? 8080 : nil)
        }
        let gradle = present(["build.gradle", "build.gradle.kts"])
        guard let file = gradle.first, let text = read(file) else { return nil }
        let spring = text.contains("org.springframework.boot")
        return Finding(language: "java", buildSystem: "gradle", appName: nil, version: nil,
                       framework: spring ? "spring-boot" : nil, entryPoint: nil,
                       dependencyFiles: gradle + present(["settings.gradle", "settings.gradle.kts"]),
                       sourceExtensions: [".java", ".kt", ".properties"], defaultPort: spring ? 8080 : nil)
    }

    private func swift() -> Finding? {
        guard let manifest = read("Package.swift") else { return nil }
        let name = Self.quoted(after: "name:", in: manifest)
        let version = manifest.split(separator: "\n").first.flatMap { line -> String? in
            guard let r = line.find("swift-tools-version:") else { return nil }
            return line[r.upperBound...].trimmed(" \t")
        }
        let framework = [("vapor/vapor", "vapor"), ("hummingbird", "hummingbird")].first { manifest.contains($0.0) }?.1
        let entry = manifest.find(".executableTarget(").flatMap { r in
            Self.quoted(after: "name:", in: String(manifest[r.upperBound...]))
        }
        return Finding(language: "swift", buildSystem: "swiftpm", appName: name, version: version, framework: framework,
                       entryPoint: entry, dependencyFiles: present(["Package.swift", "Package.resolved"]),
                       sourceExtensions: [".swift"], defaultPort: framework == nil ? nil : 8080)
    }

    private func rust() -> Finding? {
        guard let cargo = read("Cargo.toml") else { return nil }
        let name = Self.quoted(after: "name =", in: cargo)
        let framework = [("actix-web", "actix-web"), ("axum", "axum"), ("rocket", "rocket"), ("warp", "warp")]
            .first { cargo.contains($0.0) }?.1
        return Finding(language: "rust", buildSystem: "cargo", appName: name,
                       version: Self.quoted(after: "rust-version =", in: cargo), framework: framework, entryPoint: name,
                       dependencyFiles: present(["Cargo.toml", "Cargo.lock"]), sourceExtensions: [".rs"], defaultPort: nil)
    }

    private func dotnet(_ files: [String]) -> Finding? {
        guard let project = files.first(where: { $0.hasSuffix(".csproj") && $0.split(separator: "/").count <= 2 }),
              let text = read(project) else { return nil }
        let name = String(project.split(separator: "/").last?.dropLast(".csproj".count) ?? "app")
        let web = text.contains("Microsoft.NET.Sdk.Web")
        let version = Self.xmlElement("TargetFramework", in: text).map { $0.hasPrefix("net") ? String($0.dropFirst(3)) : $0 }
        return Finding(language: "csharp", buildSystem: "dotnet", appName: name, version: version,
                       framework: web ? "aspnetcore" : nil, entryPoint: "\(name).dll",
                       dependencyFiles: [project] + files.filter { $0.hasSuffix(".sln") || $0 == "global.json" || $0 == "NuGet.config" },
                       sourceExtensions: [".cs", "appsettings.json"], defaultPort: web ? 8080 : nil)
    }

    // MARK: Text helpers

    /// Port numbers on lines that mention listening, ports, addresses or binding: integers from 80 to 65535.
    static func ports(in text: String) -> Set<Int> {
        var found = Set<Int>()
        for line in text.split(separator: "\n") {
            let lower = line.lowercased()
            guard ["listen", "port", "addr", "bind", "urls"].contains(where: { lower.contains($0) }) else { continue }
            var digits = ""
            for ch in line + " " {
                if ch.isASCII && ch.isNumber {
                    digits.append(ch)
                } else {
                    if digits.count >= 2 && digits.count <= 5, let n = Int(digits), (80...65535).contains(n), ch != "." {
                        found.insert(n)
                    }
                    digits = ""
                }
            }
        }
        return found
    }

    static func firstNumber(_ text: String) -> String? {
        let digits = text.drop { !$0.isNumber }.prefix { $0.isNumber || $0 == "." }
        return digits.isEmpty ? nil : String(digits)
    }

    static func xmlElement(_ name: String, in text: String) -> String? {
        guard let open = text.find("<\(name)>"),
              let close = text.find("</\(name)>", in: open.upperBound..<text.endIndex) else { return nil }
        return text[open.upperBound..<close.lowerBound].trimmed()
    }

    static func quoted(after key: String, in text: String) -> String? {
        guard let r = text.find(key) else { return nil }
        let rest = text[r.upperBound...].drop { $0 == " " || $0 == "\t" }
        guard rest.first == "\"" else { return nil }
        return String(rest.dropFirst().prefix { $0 != "\"" })
    }

    /// A lowercase DNS-1123 name usable for images and Kubernetes objects.
    static func kubernetesName(_ text: String) -> String {
        var out = ""
        for ch in text.lowercased() {
            if (ch.isASCII && (ch.isLetter || ch.isNumber)) { out.append(ch) } else if !out.isEmpty && out.last != "-" { out.append("-") }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "app" : String(out.prefix(63))
    }
}
