import Foundation
import Testing
import WfhostTestSupport

/// The wire protocol between host and worker is defined once, in Sources/CSupport/include/wfh_protocol.h, which
/// the worker includes and the host imports: this test fails when a frame kind, a file descriptor, a verdict code
/// or a limit is typed again in the worker's C or the host's Swift.
@Suite struct ProtocolDefinitionTests {
    static let header = "Sources/CSupport/include/wfh_protocol.h"

    func sources(_ directory: String, suffix: String) throws -> [(String, String)] {
        let dir = TestSupport.repoRoot + "/" + directory
        return try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(suffix) }.sorted()
            .map { ("\(directory)/\($0)", try String(contentsOfFile: dir + "/" + $0, encoding: .utf8)) }
    }

    /// Lines of code (comments dropped) matching `pattern`.
    func offending(_ files: [(String, String)], _ pattern: String) throws -> [String] {
        let regex = try NSRegularExpression(pattern: pattern)
        var hits: [String] = []
        for (name, text) in files {
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                var code = String(line)
                if let comment = code.range(of: "//") { code = String(code[..<comment.lowerBound]) }
                let trimmed = code.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("*") || trimmed.hasPrefix("/*") { continue }
                if regex.firstMatch(in: code, range: NSRange(code.startIndex..., in: code)) != nil {
                    hits.append("\(name):\(n + 1): \(trimmed)")
                }
            }
        }
        return hits
    }

    @Test func frameKindsAreNotSpelledOutside() throws {
        let c = try sources("Sources/wfhost-worker", suffix: ".c")
        let swift = try sources("Sources/Isolation", suffix: ".swift")
        #expect(try offending(c, #"frame_send\([^,]+,\s*'"#).isEmpty)
        #expect(try offending(c, #"type\s*==\s*'"#).isEmpty)
        #expect(try offending(swift, #"UInt8\(ascii:\s*"[A-Z]"\)"#).isEmpty)
    }

    @Test func fdsVerdictsAndLimitsAreDefinedOnce() throws {
        let c = try sources("Sources/wfhost-worker", suffix: ".c") + sources("Sources/wfhost-worker", suffix: ".h")
        let swift = try sources("Sources/Isolation", suffix: ".swift")
        #expect(try offending(c, #"#define\s+WFH_(FD_|FRAME_HEADER|SANDBOX_MAX_PATHS|JSON_MAX_DEPTH)"#).isEmpty)
        // The JSON nesting limit: the C reader and the Swift parser and evaluator read WFH_JSON_MAX_DEPTH.
        let cjson = try sources("Sources/CJSON", suffix: ".c"), schema = try sources("Sources/Schema", suffix: ".swift")
        #expect(try offending(cjson, #"MAX_DEPTH\s+[0-9]"#).isEmpty)
        #expect(try offending(schema, #"(maxEvaluationDepth|defaultMaxDepth)\s*=\s*[0-9]"#).isEmpty)
        #expect(try offending(c + swift, #""(result_too_large|fork_failed)""#).isEmpty)
        #expect(try offending(swift, #"static let (requests|events|plugin)(: CInt)? = [0-9]"#).isEmpty)
        let header = try String(contentsOfFile: TestSupport.repoRoot + "/" + Self.header, encoding: .utf8)
        for name in ["WFH_FD_REQUESTS", "WFH_FD_EVENTS", "WFH_FD_PLUGIN", "WFH_FRAME_HEADER", "WFH_SANDBOX_MAX_PATHS",
                     "WFH_VERDICT_RESULT_TOO_LARGE", "WFH_FRAME_CALL", "WFH_JSON_MAX_DEPTH"] {
            #expect(header.contains(name), "\(name) is defined in \(Self.header)")
        }
    }
}
