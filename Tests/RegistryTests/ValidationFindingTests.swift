import Foundation
import WfhostTestSupport
import Testing

/// Each validator finding of issue 15 item 6, with its full text and hint, from fixtures compiled during the run
/// and checked by the real `wfhost plugins validate`.
@Suite struct ValidationFindingTests {
    let dir: String
    init() throws { dir = try TestSupport.temporaryDirectory("findings") }

    /// Builds Fixtures/findings.c with `defines` and validates it; returns (exit status, stdout).
    private func findings(_ defines: [String], name: String) throws -> (Int32, String, String) {
        let so = try TestSupport.compileFixture("findings.c", to: dir + "/\(name).so", defines: defines)
        let r = try TestSupport.wfhost(["plugins", "validate", so], stateDir: dir)
        return (r.status, r.stdout, so)
    }

    @Test func theDefaultFixtureIsValid() throws {
        let (status, out, so) = try findings([], name: "good")
        #expect(status == 0)
        #expect(out == "\(so): ok: plugin 'findings' 1.0.0, 1 tool, ABI 1.2\n")
    }

    @Test func aSignatureThatContradictsTheSchemaIsAnError() throws {
        let (status, out, so) = try findings(["SIG_TYPE_AND_ABSENT"], name: "sig")
        #expect(status == 1)
        #expect(out == """
            \(so): error: tool 'add': typed signature "f64 (f64 a, f64 b)": parameter 'a' is f64, but the input schema gives property 'a' the type "string"
              hint: make it {"type":"number"}, or change the parameter's type: no call can pass such an argument to a f64
            \(so): error: tool 'add': typed signature "f64 (f64 a, f64 b)": parameter 'b' is not a property of the input schema
              hint: add "b": {"type":"number"} to the input schema's "properties" and "b" to its "required"; each parameter is read from the argument of its name

            """)
    }

    @Test func aParameterMustBeRequired() throws {
        let (status, out, so) = try findings(["SIG_NOT_REQUIRED"], name: "req")
        #expect(status == 1)
        #expect(out == """
            \(so): error: tool 'add': typed signature "f64 (f64 a, f64 b)": parameter 'b' is not required by the input schema, but the function needs it on every call
              hint: add "b" to the input schema's "required" (or give the property a "default")

            """)
    }

    @Test(arguments: [
        ("SCHEMA_STRING", "the input schema accepts no object: its \"type\" is \"string\""),
        ("SCHEMA_FALSE", "the input schema is false, which rejects every argument object"),
    ])
    func theInputSchemaMustAcceptObjects(define: String, message: String) throws {
        let (status, out, so) = try findings([define], name: define)
        #expect(status == 1)
        #expect(out.hasPrefix("""
            \(so): error: tool 'add': \(message)
              hint: a tool's arguments are always a JSON object: write {"type":"object","properties":{...}}, or {"type":"object","additionalProperties":false} for a tool without arguments

            """), "\(out)")
    }

    @Test func aMisspeltTypeGetsADidYouMean() throws {
        let (status, out, so) = try findings(["TYPE_TYPO"], name: "typo")
        #expect(status == 1)
        #expect(out == """
            \(so): error: tool 'add': the input schema is invalid at /type: "type" has an unknown type name "objekt"; expected one of null, boolean, object, array, number, integer, string
              hint: did you mean "object"? the dialect is JSON Schema 2020-12 (the SDK guide, share/doc/wfhost/SDK.md in the install tree, lists the keywords wfhost supports)

            """)
    }

    @Test func misspeltKeywordsAreWarningsWithADidYouMean() throws {
        let (status, out, so) = try findings(["KEYWORD_TYPO"], name: "kw")
        #expect(status == 0)
        #expect(out == """
            \(so): warning: tool 'add': the input schema has the unknown keyword "additionalProperty" at /additionalProperty, which JSON Schema ignores
              hint: did you mean "additionalProperties"?
            \(so): warning: tool 'add': the input schema has the unknown keyword "minimun" at /properties/b/minimun, which JSON Schema ignores
              hint: did you mean "minimum"?
            \(so): ok: plugin 'findings' 1.0.0, 1 tool, ABI 1.2

            """)
    }

    @Test func aPointerGivenToTheDefineMacroIsAnError() throws {
        let (status, out, so) = try findings(["TOOLS_POINTER"], name: "ptr")
        #expect(status == 1)
        #expect(out == """
            \(so): error: the descriptor declares 0 tools, but its tool table holds a tool entry: WFH_PLUGIN_DEFINE was given a pointer, not an array (sizeof a pointer / sizeof(wfh_tool) is 0)
              hint: pass the array itself: static const wfh_tool tools[] = {...}; WFH_PLUGIN_DEFINE(..., tools)

            """)
    }

    @Test func anEntrySizeOtherThanTheStrideIsAnError() throws {
        let (status, out, so) = try findings(["SIZE_MISMATCH"], name: "size")
        #expect(status == 1)
        #expect(out == """
            \(so): error: tool 'add': tool entry 1's struct_size is 88 bytes, but the descriptor's tool_size (the table's stride) is 96
              hint: build every entry with WFH_TOOL or WFH_TYPED_TOOL and the descriptor with WFH_PLUGIN_DEFINE, all from the same <wfhost/plugin.h>: both are sizeof(wfh_tool)

            """)
    }

    @Test func anEmptyPluginDescriptionIsAnError() throws {
        let (status, out, so) = try findings(["PLUGIN_NO_DESCRIPTION"], name: "nodesc")
        #expect(status == 1)
        #expect(out == """
            \(so): error: the plugin has no description (the SDK header requires one)
              hint: describe in a sentence what the plugin offers (the description argument of WFH_PLUGIN_DEFINE); `wfhost plugins list` shows it

            """)
    }

    @Test func goodCapabilityPathsAreAccepted() throws {
        let (status, out, _) = try findings([#"CAPS="/etc/ssl", "~", "~/.cache/x", "${work_dir}/out", "${arg:path}""#],
                                            name: "capsok")
        #expect(status == 0, "\(out)")
    }

    @Test(arguments: [
        (#""data/x""#, #"read path "data/x" is not absolute"#,
         "write an absolute path, ~ or ~/..., ${work_dir} or ${work_dir}/..., or ${arg:NAME} (the path in the string argument NAME of each call); a relative path would depend on the worker's directory"),
        (#""${home}/x""#, #"read path "${home}/x" uses a variable wfhost does not expand; only ${work_dir} and ${arg:NAME} are"#,
         "write an absolute path, ~ or ~/..., ${work_dir} or ${work_dir}/..., or ${arg:NAME} (the path in the string argument NAME of each call)"),
        (#""${arg:pth}""#, #"read path "${arg:pth}" names argument 'pth', which is not a property of the input schema"#,
         #"did you mean 'path'? declare "pth": {"type":"string"} in the input schema's "properties" (its string properties: path)"#),
        (#""${arg:n}""#, #"read path "${arg:n}" names argument 'n', which the input schema does not declare as a string (its type is "integer")"#,
         #"the argument holds a path: give 'n' {"type":"string"}, or name a string property (its string properties: path)"#),
        (#""${arg:path}/sub""#, #"read path "${arg:path}/sub" has text after ${arg:path}, which must be the whole path"#,
         #"write "${arg:path}" alone: the argument's value is the path"#),
    ])
    func capabilityPathsMustBeExpandable(caps: String, message: String, hint: String) throws {
        let (status, out, so) = try findings(["CAPS=\(caps)"], name: "caps\(abs(caps.hashValue))")
        #expect(status == 1)
        #expect(out == "\(so): error: tool 'add': \(message)\n  hint: \(hint)\n")
    }

    /// The sandbox takes at most WFH_SANDBOX_MAX_PATHS (64) read paths: 64 validate, 65 make the plugin invalid
    /// with the limit named (before, the 65th was silently dropped at the call).
    @Test func moreCapabilityPathsThanTheSandboxTakesAreAnError() throws {
        func paths(_ n: Int) -> String { (0..<n).map { "\"/opt/p\($0)\"" }.joined(separator: ", ") }
        let (ok, okOut, _) = try findings(["CAPS=\(paths(64))"], name: "caps64")
        #expect(ok == 0, "\(okOut)")
        let (status, out, so) = try findings(["CAPS=\(paths(65))"], name: "caps65")
        #expect(status == 1)
        #expect(out == """
            \(so): error: tool 'add': the tool declares more than 64 read paths, the most that reach its sandbox (WFH_SANDBOX_MAX_PATHS)
              hint: declare a common parent directory instead of many paths under it

            """)
    }

    @Test func aMangledEntrySymbolGetsTheExternCHint() throws {
        let so = dir + "/mangled.so"
        let cc = try TestSupport.run("/usr/bin/c++", ["-std=c++17", "-Wall", "-shared", "-fPIC", "-I",
                                                      TestSupport.repoRoot + "/SDK/include",
                                                      TestSupport.repoRoot + "/Tests/RegistryTests/Fixtures/mangled.cpp",
                                                      "-o", so])
        #expect(cc.status == 0, "\(cc.stderr)")
        let r = try TestSupport.wfhost(["plugins", "validate", so], stateDir: dir)
        #expect(r.status == 1)
        #expect(r.stdout == """
            \(so): error: not a wfhost plugin: the entry symbol is C++-mangled ('_Z24wfhost_plugin_descriptorv'), so 'wfhost_plugin_descriptor' is not exported
              hint: give the entry function C linkage: use WFH_PLUGIN_DEFINE(...) from <wfhost/plugin.h> (it declares it extern "C"), or write extern "C" WFH_EXPORT const wfh_plugin *wfhost_plugin_descriptor(void)

            """)
    }

    /// Every finding any fixture produces carries a hint (the JSON report has a non-null "hint" for each).
    @Test func everyFindingHasAHint() throws {
        var sos: [String] = []
        for (i, d) in [["SIG_TYPE_AND_ABSENT"], ["SCHEMA_FALSE"], ["TOOLS_POINTER"], ["SIZE_MISMATCH"], ["KEYWORD_TYPO"],
                       [#"CAPS="rel""#], ["PLUGIN_NO_DESCRIPTION"]].enumerated() {
            sos.append(try TestSupport.compileFixture("findings.c", to: dir + "/all\(i).so", defines: d))
        }
        sos.append(try TestSupport.compileFixture("plugin.c", to: dir + "/nodesc.so", defines: ["NO_DESCRIPTION"]))
        sos.append(try TestSupport.compileFixture("plugin.c", to: dir + "/segv.so", defines: ["CTOR_SEGV"]))
        let r = try TestSupport.wfhost(["plugins", "validate", "--format", "github"] + sos, stateDir: dir)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count >= sos.count)
        for line in lines where line.hasPrefix("::") {
            #expect(line.contains(" (hint: "), "no hint: \(line)")
        }
    }
}
