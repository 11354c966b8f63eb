import Foundation
import Testing
import WfhostTestSupport

/// WorkflowHost is the boundary: the CLI, wfhost-mcp and the API example depend on it (the CLI also on
/// ArgumentParser, wfhost-mcp on the MCP SDK and swift-log) and on no other module of the package, in Package.swift
/// and in their imports. `swift build
/// --explicit-target-dependency-import-check error` lets through a module reachable through a dependency, so
/// this test holds the rule.
@Suite struct ImportBoundaryTests {
    static let system: Set<String> = ["Foundation", "Glibc", "Dispatch"]

    /// The modules `import`ed by the Swift files under `folder` (attributes such as `@preconcurrency` and
    /// scoped imports included), with the file of each.
    static func imports(under folder: String) throws -> [(module: String, file: String)] {
        let root = TestSupport.repoRoot + "/" + folder
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        #expect(!files.isEmpty, "no Swift files under \(folder)")
        var found: [(String, String)] = []
        for file in files {
            let text = try String(contentsOfFile: root + "/" + file, encoding: .utf8)
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ").filter { !$0.hasPrefix("@") }
                guard words.first == "import", words.count >= 2 else { continue }
                let target = words.count >= 3 ? words[2] : words[1] // `import struct M.T` or `import M`
                found.append((String(target.split(separator: ".")[0]), folder + "/" + file))
            }
        }
        return found
    }

    /// The quoted target names and the product names in a target's `dependencies:` list in Package.swift.
    static func dependencies(ofTarget name: String) throws -> (targets: [String], products: [String]) {
        let manifest = try String(contentsOfFile: TestSupport.repoRoot + "/Package.swift", encoding: .utf8)
        guard let start = manifest.range(of: "Target(name: \"\(name)\", dependencies: ["),
              let end = manifest.range(of: "]", range: start.upperBound..<manifest.endIndex) else {
            Issue.record("no target \(name) with a dependencies list in Package.swift")
            return ([], [])
        }
        var list = String(manifest[start.upperBound..<end.lowerBound])
        var products: [String] = []
        while let product = list.range(of: #"\.product\(name: "([^"]+)"[^)]*\)"#, options: .regularExpression) {
            let text = list[product]
            if let quoted = text.range(of: #""[^"]+""#, options: .regularExpression) {
                products.append(String(text[quoted].dropFirst().dropLast()))
            }
            list.removeSubrange(product)
        }
        let targets = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }.map { String($0.dropFirst().dropLast()) }
        return (targets, products)
    }

    @Test func theCLIDependsOnWorkflowHostAndArgumentParserOnly() throws {
        let declared = try Self.dependencies(ofTarget: "wfhost")
        #expect(declared.targets == ["WorkflowHost"])
        #expect(declared.products == ["ArgumentParser"])
        let allowed = Self.system.union(["WorkflowHost", "ArgumentParser"])
        for (module, file) in try Self.imports(under: "Sources/wfhost") {
            #expect(allowed.contains(module), "\(file) imports \(module); the CLI goes through WorkflowHost")
        }
    }

    /// wfhost-mcp (the MCP server and the tool-server client) is the second front end over the API: WorkflowHost,
    /// the MCP SDK and swift-log (whose `Logger` the SDK takes), nothing else of this package.
    @Test func theMCPHelperDependsOnWorkflowHostAndTheMCPSDKOnly() throws {
        let declared = try Self.dependencies(ofTarget: "wfhost-mcp")
        #expect(declared.targets == ["WorkflowHost"])
        #expect(declared.products == ["MCP", "Logging"])
        let allowed = Self.system.union(["WorkflowHost", "MCP", "Logging"])
        let found = try Self.imports(under: "Sources/wfhost-mcp")
        #expect(found.contains { $0.module == "WorkflowHost" }, "the helper's imports were not read")
        for (module, file) in found {
            #expect(allowed.contains(module), "\(file) imports \(module); wfhost-mcp goes through WorkflowHost")
        }
    }

    /// No public declaration of WorkflowHost names the engine, the call executor or the database: what they do
    /// is behind WorkflowHost's own functions (`PreparedRun`, `RunHandle`, `ToolCalls`).
    @Test func theAPIHandsOutNoEngineExecutorOrDatabase() throws {
        let root = TestSupport.repoRoot + "/Sources/WorkflowHost"
        let files = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty)
        let hidden = ["WorkflowEngine", "CallExecutor", "SQLiteDatabase", "SQLiteSessionStore", "ToolRunner",
                      "PluginRegistry", "PluginScanner"]
        for file in files {
            let text = try String(contentsOfFile: root + "/" + file, encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains("public ") && !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                for name in hidden where line.range(of: "\\b\(name)\\b", options: .regularExpression) != nil {
                    Issue.record("Sources/WorkflowHost/\(file): a public declaration names \(name): \(line)")
                }
            }
        }
    }

    /// A public declaration found by ``publicDeclarations(in:)``: its line (1-based), its first line as written,
    /// and whether a `///` comment with text stands right above it (attribute lines between them allowed).
    struct PublicDeclaration {
        var line: Int
        var text: String
        var documented: Bool
    }

    /// The public declarations of a Swift file, read line by line: a line whose modifiers (after any attributes,
    /// `@discardableResult`, `@inlinable`, `@available(...)`, on the line or the lines above) include `public` or
    /// `open`, and, without a modifier of their own, the members of a `public extension` or `public protocol` and
    /// the cases of a `public enum`. A multi-line declaration counts once, at its first line. Comments, string
    /// literals (multi-line and raw ones included, such as the templates of `wfhost plugins new`) and function
    /// bodies are not declarations; braces are counted outside them to know which body a line is in.
    static func publicDeclarations(in text: String) -> [PublicDeclaration] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        let modifiers: Set<String> = ["public", "open", "internal", "fileprivate", "private", "package", "static", "class",
                                      "final", "override", "mutating", "nonmutating", "nonisolated", "convenience",
                                      "required", "indirect", "lazy", "weak", "unowned", "dynamic", "optional"]
        let kinds: Set<String> = ["func", "init", "deinit", "subscript", "var", "let", "struct", "class", "enum", "actor",
                                  "protocol", "extension", "typealias", "associatedtype", "case", "macro"]
        /// A body whose members are public without saying so: `(kind, depth inside it)`.
        var scopes: [(kind: String, depth: Int)] = []
        var pendingScope: String? = nil // a public enum, extension or protocol whose `{` is still to come
        var depth = 0
        var inMultilineString = false, inBlockComment = false
        var found: [PublicDeclaration] = []

        func parenBalance(_ line: String) -> Int {
            line.reduce(0) { $0 + ($1 == "(" ? 1 : $1 == ")" ? -1 : 0) }
        }
        /// Whether a `///` comment with text ends right above line `index`, skipping attribute lines (a
        /// multi-line `@available(...)` included).
        func documented(_ index: Int) -> Bool {
            var k = index - 1
            while k >= 0 {
                if lines[k].hasPrefix("@") { k -= 1; continue }
                var balance = parenBalance(lines[k]), j = k
                while balance < 0 && j > 0 { j -= 1; balance += parenBalance(lines[j]) }
                if j < k && balance == 0 && lines[j].hasPrefix("@") { k = j - 1; continue }
                break
            }
            var hasText = false
            while k >= 0 && lines[k].hasPrefix("///") {
                if !lines[k].dropFirst(3).trimmingCharacters(in: .whitespaces).isEmpty { hasText = true }
                k -= 1
            }
            return hasText
        }

        for (index, line) in lines.enumerated() {
            if inMultilineString {
                if line.components(separatedBy: "\"\"\"").count % 2 == 0 { inMultilineString = false }
                continue
            }
            if inBlockComment {
                if line.contains("*/") { inBlockComment = false }
                continue
            }
            // The declaration the line starts, if any: attributes, then modifiers, then a keyword.
            var rest = Substring(line)
            while rest.hasPrefix("@") {
                rest = rest.dropFirst().drop { $0.isLetter || $0.isNumber || $0 == "_" }
                if rest.hasPrefix("(") {
                    var open = 0, end = rest.startIndex
                    for i in rest.indices {
                        if rest[i] == "(" { open += 1 } else if rest[i] == ")" { open -= 1; if open == 0 { end = i; break } }
                    }
                    rest = open == 0 ? rest[rest.index(after: end)...] : ""
                }
                rest = rest.drop { $0 == " " }
            }
            let words = rest.split(separator: " ")
            var explicit: String? = nil
            var w = 0
            while w < words.count {
                let word = String(words[w])
                if word.hasSuffix("(set)") { w += 1; continue } // `private(set)` does not change the getter's access
                guard modifiers.contains(word) else { break }
                if ["public", "open", "internal", "fileprivate", "private", "package"].contains(word) { explicit = word }
                if word == "class" && w + 1 < words.count && !modifiers.contains(String(words[w + 1]))
                    && !kinds.contains(String(words[w + 1].prefix { $0.isLetter })) { break } // `class Name`
                w += 1
            }
            let keyword = w < words.count ? String(words[w].prefix { $0.isLetter }) : ""
            let isDeclaration = !line.hasPrefix("//") && kinds.contains(keyword)
            if isDeclaration {
                var isPublic = explicit == "public" || explicit == "open"
                if explicit == nil, let scope = scopes.last, scope.depth == depth {
                    isPublic = scope.kind == "enum" ? keyword == "case" : keyword != "case"
                }
                if isPublic {
                    var shown = line
                    if shown.hasSuffix("{") { shown = String(shown.dropLast()).trimmingCharacters(in: .whitespaces) }
                    found.append(PublicDeclaration(line: index + 1, text: shown, documented: documented(index)))
                    if ["enum", "extension", "protocol"].contains(keyword) { pendingScope = keyword }
                }
            }
            // Braces outside strings and comments.
            let chars = Array(line)
            var i = 0
            scan: while i < chars.count {
                let c = chars[i], next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
                switch c {
                case "/" where next == "/":
                    break scan
                case "/" where next == "*":
                    if let close = String(chars[(i + 2)...]).range(of: "*/") {
                        i += 2 + String(chars[(i + 2)...])[..<close.lowerBound].count + 2
                        continue scan
                    }
                    inBlockComment = true
                    break scan
                case "#" where next == "#" || next == "\"":
                    var hashes = 0
                    while i + hashes < chars.count && chars[i + hashes] == "#" { hashes += 1 }
                    guard i + hashes < chars.count, chars[i + hashes] == "\"" else { i += hashes; continue scan }
                    let closing = "\"" + String(repeating: "#", count: hashes)
                    let after = String(chars[(i + hashes + 1)...])
                    guard let close = after.range(of: closing) else { break scan }
                    i += hashes + 1 + after[..<close.upperBound].count
                    continue scan
                case "\"":
                    if next == "\"", i + 2 < chars.count, chars[i + 2] == "\"" {
                        let after = String(chars[(i + 3)...])
                        if let close = after.range(of: "\"\"\"") { // opened and closed on one line
                            i += 3 + after[..<close.upperBound].count
                            continue scan
                        }
                        inMultilineString = true
                        break scan
                    }
                    i += 1
                    var escaped = false
                    while i < chars.count {
                        if escaped { escaped = false } else if chars[i] == "\\" { escaped = true } else if chars[i] == "\"" { break }
                        i += 1
                    }
                case "{":
                    depth += 1
                    if let kind = pendingScope { scopes.append((kind, depth)); pendingScope = nil }
                case "}":
                    depth -= 1
                    while let last = scopes.last, last.depth > depth { scopes.removeLast() }
                default:
                    break
                }
                i += 1
            }
        }
        return found
    }

    /// Every public declaration of WorkflowHost carries a `///` doc comment (issue 14): the module's API is what
    /// the CLI, wfhost-mcp and embedding programs build on, and DocC shows nothing for an undocumented symbol. The
    /// failure lists every offender as `file:line: declaration`.
    @Test func everyPublicDeclarationOfWorkflowHostHasADocComment() throws {
        // The reader itself, on the shapes it must handle.
        let sample = """
            /// Documented.
            @discardableResult
            @available(*, deprecated,
                       message: "use g")
            public func f(a: Int,
                          b: Int) -> Int { a + b }
            @inlinable public var bare: Int { 1 }
            extension S {
                /// Documented.
                public static func member() {}
                public init(x: Int) {}
                func helper() { let template = \"\"\"
                    public func inTheTemplate() {}
                    \"\"\"
                }
            }
            public extension S {
                var implicit: Int { 0 }
                private var hidden: Int { 0 }
            }
            /// Documented.
            public enum E: String {
                case a, b
                func helper() { switch self { case .a: break; default: break } }
            }
            let raw = #"public func notOne() { "#
            // public func commentedOut()
            public private(set) var counter = 0
            """
        let seen = Self.publicDeclarations(in: sample)
        #expect(seen.map(\.line) == [5, 7, 10, 11, 17, 18, 22, 23, 28], "\(seen)")
        #expect(seen.filter { !$0.documented }.map(\.text) == [
            "@inlinable public var bare: Int { 1 }", "public init(x: Int) {}", "public extension S",
            "var implicit: Int { 0 }", "case a, b", "public private(set) var counter = 0",
        ])

        let root = TestSupport.repoRoot + "/Sources/WorkflowHost"
        let files = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasSuffix(".swift") }.sorted()
        #expect(!files.isEmpty)
        var count = 0
        var offenders: [String] = []
        for file in files {
            let declarations = Self.publicDeclarations(in: try String(contentsOfFile: root + "/" + file, encoding: .utf8))
            count += declarations.count
            offenders += declarations.filter { !$0.documented }.map { "Sources/WorkflowHost/\(file):\($0.line): \($0.text)" }
        }
        #expect(count > 200, "only \(count) public declarations were read in Sources/WorkflowHost")
        #expect(offenders.isEmpty, """
            \(offenders.count) public declaration(s) of WorkflowHost without a /// doc comment (a summary line; for \
            functions also - Parameters:, - Returns:, - Throws:):
            \(offenders.joined(separator: "\n"))
            """)
    }

    @Test func theAPIExampleImportsWorkflowHostOnly() throws {
        let declared = try Self.dependencies(ofTarget: "wfhost-api-example")
        #expect(declared.targets == ["WorkflowHost"])
        #expect(declared.products.isEmpty)
        let imported = try Self.imports(under: "examples/api-example").map(\.module).filter { !Self.system.contains($0) }
        #expect(imported == ["WorkflowHost"])
    }
}
