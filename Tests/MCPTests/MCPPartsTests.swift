#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import MCP
import Schema
import Spec
import Testing
@testable import wfhost_mcp

/// The server's own parts, each with real inputs: names, schema rewrites, value conversions, the schema derived
/// from a predefined workflow, and the stdin transport reading a real pipe.
@Suite struct MCPPartsTests {
    @Test func toolNamesAreMadeValid() {
        #expect(MCPToolName.isValid("core.echo"))
        #expect(MCPToolName.isValid("workflow_ci-cd-pipeline"))
        #expect(!MCPToolName.isValid("a b"))
        #expect(!MCPToolName.isValid(""))
        #expect(MCPToolName.sanitized("a b/ü") == "a_b___")
        #expect(MCPToolName.sanitized(String(repeating: "x", count: 200)).count == 128)
        #expect(MCPToolName.sanitized("") == "_")
    }

    @Test func inputSchemasGetAnObjectRoot() throws {
        #expect(MCPSchemas.objectAtRoot(.bool(true)) == .object(["type": "object"]))
        #expect(MCPSchemas.objectAtRoot(.bool(false)) == .object(["type": "object", "not": .object([:])]))
        let typed = try JSONValue.parse(#"{"type": ["object", "null"], "properties": {"a": {"type": "string"}}}"#)
        #expect(MCPSchemas.objectAtRoot(typed)["type"] == "object")
        #expect(MCPSchemas.objectAtRoot(typed)["properties"]?["a"]?["type"] == "string")
        let untyped = try JSONValue.parse(#"{"required": ["a"]}"#)
        #expect(MCPSchemas.objectAtRoot(untyped) == .object(["required": ["a"], "type": "object"]))
    }

    @Test func nonObjectOutputSchemasAreWrappedWithTheirDefinitions() throws {
        let output = try JSONValue.parse(##"{"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": {"n": {"type": "number"}}, "$ref": "#/$defs/n"}"##)
        let wrapped = MCPSchemas.wrappedAsResult(output)
        #expect(wrapped["type"] == "object")
        #expect(wrapped["required"] == ["result"])
        #expect(wrapped["$defs"]?["n"]?["type"] == "number")
        #expect(wrapped["properties"]?["result"] == .object(["$ref": "#/$defs/n"]))
        // The wrapped schema accepts what the wrapped result is, and its $ref still resolves.
        let compiled = try CompiledSchema.compile(wrapped)
        #expect(compiled.isValid(ResultShape.wrapped.structured(.int(42))))
        #expect(!compiled.isValid(ResultShape.wrapped.structured(.string("no"))))
        #expect(ResultShape.asIs.structured(.object(["a": 1])) == .object(["a": 1]))
        #expect(ResultShape.asIs.structured(.int(1)) == .object(["result": 1]))
    }

    @Test func valuesConvertBothWays() throws {
        let json = try JSONValue.parse(#"{"a": [1, 2.5, "x", true, null], "b": {"c": -9007199254740993}}"#)
        #expect(ValueBridge.json(ValueBridge.value(json)) == json)
        #expect(ValueBridge.value(.int(7)) == .int(7))
        #expect(ValueBridge.json(.double(3)) == .int(3))
        #expect(ValueBridge.json(.data(mimeType: "text/plain", Data("hi".utf8))) == .string("data:text/plain;base64,aGk="))
        #expect(ValueBridge.arguments(nil) == .object([:]))
    }

    @Test func aPredefinedWorkflowsVariablesBecomeItsInputSchema() throws {
        let text = """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: vars}
            spec:
              variables:
                repo_url: null
                optional: null
                replicas: 2
                ratio: 0.5
                tags: [a, b]
                token: !secret s3cret
                name: world
              stages:
                - name: s
                  conditions: [{key: repo_url, operator: required}, {key: name, operator: required}]
                  tools: [{name: echo, args: {message: "${name} ${token} ${optional}"}}]
            """
        let loaded = WorkflowLoader.load(text: text, file: "vars.yaml")
        let workflow = try #require(loaded.workflow, "\(loaded.diagnostics)")
        let schema = PredefinedWorkflowTool.inputSchema(workflow)
        #expect(schema["required"] == ["repo_url"])
        #expect(schema["properties"]?["replicas"] == .object(["type": "integer", "default": 2]))
        #expect(schema["properties"]?["ratio"] == .object(["type": "number", "default": 0.5]))
        #expect(schema["properties"]?["tags"] == .object(["type": "array", "default": ["a", "b"]]))
        #expect(schema["properties"]?["name"] == .object(["type": "string", "default": "world"]))
        #expect(schema["properties"]?["optional"] == .object([:]))
        #expect(schema["properties"]?["token"] == nil)
        let compiled = try CompiledSchema.compile(schema)
        #expect(!compiled.isValid(.object([:])))
        #expect(compiled.isValid(.object(["repo_url": "https://example.org/r.git"])))
        #expect(!compiled.isValid(.object(["repo_url": "x", "replicas": "two"])))
    }

    /// Lines split across reads, CRLF endings, empty lines and a line over the limit, through a real pipe.
    @Test func theTransportReadsLinesFromAPipe() async throws {
        var fds: [CInt] = [0, 0]
        #expect(pipe(&fds) == 0)
        var out: [CInt] = [0, 0]
        #expect(pipe(&out) == 0)
        defer { close(out[0]) }
        let transport = LineTransport(input: fds[0], output: out[1],
                                      logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, maxMessageBytes: 1000)
        try await transport.connect()
        func write(_ text: String) { _ = text.withCString { Glibc.write(fds[1], $0, strlen($0)) } }
        write(#"{"a":"#)
        write("1}\r\n\n")
        write(#"{"b":2}"# + "\n" + String(repeating: "x", count: 100_000))
        write("\n" + #"{"c":3}"#)
        close(fds[1])
        var received: [String] = []
        for try await message in await transport.receive() { received.append(String(decoding: message, as: UTF8.self)) }
        #expect(received == [#"{"a":1}"#, #"{"b":2}"#, #"{"c":3}"#])
        try await transport.send(Data(#"{"ok":true}"#.utf8))
        close(out[1])
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = read(out[0], &buffer, buffer.count)
        #expect(String(decoding: buffer[0..<max(n, 0)], as: UTF8.self) == #"{"ok":true}"# + "\n")
        close(fds[0])
    }
}
