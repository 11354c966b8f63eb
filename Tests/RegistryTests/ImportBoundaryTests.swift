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

    @Test func theAPIExampleImportsWorkflowHostOnly() throws {
        let declared = try Self.dependencies(ofTarget: "wfhost-api-example")
        #expect(declared.targets == ["WorkflowHost"])
        #expect(declared.products.isEmpty)
        let imported = try Self.imports(under: "examples/api-example").map(\.module).filter { !Self.system.contains($0) }
        #expect(imported == ["WorkflowHost"])
    }
}
