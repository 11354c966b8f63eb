import Foundation
import Schema
import WfhostTestSupport
import Testing

/// `<wfhost/json.h>` (SDK/README.md, "Reading arguments and writing results"): a plugin that reads its arguments
/// and builds its result with the SDK's helpers alone, compiled as C99 and as C++17 with warnings as errors, called
/// through the real `wfhost call`.
@Suite struct JSONHelperTests {
    let dir: String
    init() throws { dir = try TestSupport.temporaryDirectory("jsonh") }

    private func build(cplusplus: Bool) throws -> String {
        let plugins = dir + (cplusplus ? "/cxx" : "/c")
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        let compiler = cplusplus ? "/usr/bin/c++" : "/usr/bin/cc"
        let r = try TestSupport.run(compiler, (cplusplus ? ["-x", "c++", "-std=c++17"] : ["-std=c99"]) + [
            "-Wall", "-Wextra", "-pedantic", "-Werror", "-shared", "-fPIC", "-I", TestSupport.repoRoot + "/SDK/include",
            TestSupport.repoRoot + "/Tests/RegistryTests/Fixtures/json_helpers.c", "-o", plugins + "/jsonhelpers.so"])
        #expect(r.status == 0, "\(r.stderr)")
        return plugins
    }

    private func call(_ plugins: String, _ tool: String, _ args: String) throws -> TestSupport.RunResult {
        try TestSupport.wfhost(["call", tool, "--args", args], stateDir: dir + "/state", pluginPath: plugins)
    }

    @Test(arguments: [false, true]) func readsEveryKindOfMemberAndBuildsTheResult(cplusplus: Bool) throws {
        let plugins = try build(cplusplus: cplusplus)
        defer { TestSupport.cleanup(dir) }
        let r = try call(plugins, "jsonhelpers.inspect", #"""
            {"name":"Zo\u00e9 \"q\" \ud83d\ude00","count":9223372036854775807,"ratio":0.1,"loud":true,
             "tags":["a\nb",2.5,null,{"x":[1,"]"]}],"nested":{"x":"}","inner":[1,2,[3,4]]}}
            """#)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try JSONValue.parse(r.stdout) == JSONValue.parse(#"""
            {"name":"Zoé \"q\" 😀","name_length":13,"truncated":false,"count":9223372036854775807,"ratio":0.1,
             "loud":true,"tags":["a\nb",5,"other","other"],"inner":3,"missing":true}
            """#))
        // The text itself: escapes as JSON wants them, the shortest exact number, INT64_MAX digit for digit.
        #expect(r.stdout.contains(#""name": "Zoé \"q\" 😀""#), "\(r.stdout)")
        #expect(r.stdout.contains("\"ratio\": 0.1,"), "\(r.stdout)")
        #expect(r.stdout.contains("\"count\": 9223372036854775807,"), "\(r.stdout)")
    }

    @Test func absentMembersTakeTheFallbackAndLongStringsAreTruncatedWithTheirLength() throws {
        let plugins = try build(cplusplus: false)
        defer { TestSupport.cleanup(dir) }
        let r = try call(plugins, "jsonhelpers.inspect",
                         #"{"name":"a very long name that is truncated","count":-9223372036854775808}"#)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try JSONValue.parse(r.stdout) == JSONValue.parse(#"""
            {"name":"a very long nam","name_length":34,"truncated":true,"count":-9223372036854775808,"ratio":0.5,
             "loud":false,"tags":[],"inner":null,"missing":true}
            """#))
        let none = try call(plugins, "jsonhelpers.inspect", "{}")
        #expect(try JSONValue.parse(none.stdout)["name"] == .null)
        #expect(try JSONValue.parse(none.stdout)["name_length"] == .int(-1))
        #expect(try JSONValue.parse(none.stdout)["count"] == .int(-1))
    }

    @Test func anUnfinishedResultFailsTheCallSayingWhy() throws {
        let plugins = try build(cplusplus: false)
        defer { TestSupport.cleanup(dir) }
        let r = try call(plugins, "jsonhelpers.unfinished", "{}")
        #expect(r.status == 1)
        #expect(r.stderr == "error: jsonhelpers.unfinished failed: tool_error: the tool's result is incomplete "
                    + "(an object or array is still open)\n")
    }
}
