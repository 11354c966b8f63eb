import Foundation
import Testing
import WfhostTestSupport
import WorkflowHost

/// One error type at the API's boundary (`WorkflowHostError`), and what the built `wfhost` makes of its codes: the
/// exit code, the text on stderr, and the `code` of the `--json` error document.
@Suite struct ErrorCodeTests {
    /// Runs `arguments` with `--json` and returns the error document, checked against `error.schema.json`.
    static func errorDocument(_ h: EngineHarness, _ arguments: [String]) throws -> (doc: JSONValue, status: Int32) {
        let out = try h.cli(arguments + ["--json"])
        let doc = try JSONContractTests.check(out.stdout, "error", arguments.joined(separator: " ") + " --json")
        #expect(doc["exit_code"] == .int(Int64(out.status)))
        return (doc, out.status)
    }

    @Test func anUnreadableWorkflowIsExitCode2() throws {
        let h = try EngineHarness("code-unreadable")
        defer { h.cleanup() }
        let missing = h.root + "/none.yaml"
        let out = try h.cli(["run", missing])
        #expect(out.status == 2)
        #expect(out.stderr == """
            error: no workflow file '\(missing)'
              hint: check the path, or `wfhost workflows list` for the predefined workflows

            """)
        let (doc, status) = try Self.errorDocument(h, ["run", missing])
        #expect(status == 2)
        #expect(doc["code"] == .string("file_unreadable"))
        #expect(doc["error"] == .string("no workflow file '\(missing)'"))

        let directory = try Self.errorDocument(h, ["run", h.root])
        #expect(directory.status == 2)
        #expect(directory.doc["code"] == .string("file_unreadable"))
        #expect(directory.doc["error"] == .string("'\(h.root)' is a directory, not a workflow file"))
        #expect(directory.doc["hint"] == .string("name a .yaml file"))
    }

    @Test func theAPIThrowsTheSameError() throws {
        let h = try EngineHarness("code-api")
        defer { h.cleanup() }
        do {
            _ = try h.host.start(workflow: h.root + "/none.yaml")
            Issue.record("a missing file started")
        } catch {
            #expect(error.code == .fileUnreadable)
            #expect(error.location == h.root + "/none.yaml")
            #expect(error.description.hasPrefix("error: no workflow file '\(h.root)/none.yaml'\n  hint: "))
        }
        let bad = try h.write("stages: [{name: a, tools: [no_such_tool]}]", name: "bad.yaml")
        do {
            _ = try h.host.start(workflow: bad)
            Issue.record("an invalid workflow started")
        } catch {
            #expect(error.code == .workflowInvalid)
            #expect(error.location == bad)
            #expect(error.report?.errorCount == 1)
            #expect(error.diagnostics.map { "\($0.location.line):\($0.location.column)" } == ["5:30"], "file:line:column of each diagnostic stays available")
            #expect(error.description.hasPrefix("\(bad):5:30: error: unknown tool 'no_such_tool'"))
            #expect(error.description.contains("error: unknown tool 'no_such_tool'"))
        }
        do {
            _ = try h.host.status(of: "nosuch")
            Issue.record("an unknown session has a status")
        } catch {
            #expect(error.code == .invalidRequest)
            #expect(error.message == "no session 'nosuch' in \(h.stateDir)/wfhost.sqlite3")
        }
    }

    @Test func aDamagedStateDatabaseIsExitCode3() throws {
        let h = try EngineHarness("code-corrupt")
        defer { h.cleanup() }
        let db = h.stateDir + "/wfhost.sqlite3"
        try String(repeating: "this is not an SQLite database\n", count: 200).write(toFile: db, atomically: true, encoding: .utf8)
        let out = try h.cli(["sessions", "list"])
        #expect(out.status == 3)
        #expect(out.stderr.hasPrefix("wfhost: error: "), "\(out.stderr)")
        #expect(out.stderr.contains(db))
        let (doc, status) = try Self.errorDocument(h, ["sessions", "list"])
        #expect(status == 3)
        #expect(doc["code"] == .string("state_unavailable"))
        do {
            _ = try h.host.listSessions()
            Issue.record("a damaged database listed sessions")
        } catch {
            #expect(error.code == .stateUnavailable)
        }
    }

    @Test func aFailedRunIsExitCode1AndNoErrorDocument() throws {
        let h = try EngineHarness("code-failed")
        defer { h.cleanup() }
        let file = try h.write("stages: [{name: a, tools: [fail], args: {message: broken}}]", name: "fails.yaml")
        let out = try h.cli(["run", file, "--quiet"])
        #expect(out.status == 1)
        let json = try h.cli(["run", file, "--json"])
        #expect(json.status == 1)
        let doc = try JSONContractTests.check(json.stdout, "run", "run --json (failed)")
        #expect(doc["status"] == .string("failed"))
        #expect(doc["code"] == nil, "a failed run prints its run document, not an error document")
    }

    @Test func anInvalidWorkflowCarriesItsCode() throws {
        let h = try EngineHarness("code-invalid")
        defer { h.cleanup() }
        let bad = try h.write("stages: [{name: a, tools: [no_such_tool]}]", name: "bad.yaml")
        let (doc, status) = try Self.errorDocument(h, ["run", bad])
        #expect(status == 2)
        #expect(doc["code"] == .string("workflow_invalid"))
        #expect(doc["error"]?.stringValue?.hasPrefix("\(bad):5:30: error: unknown tool") == true)
    }

    @Test func variableFileErrorsAreNamed() throws {
        let h = try EngineHarness("code-varfile")
        defer { h.cleanup() }
        let ok = try h.write("stages: [{name: a, tools: [echo], args: {message: hi}}]", name: "ok.yaml")
        let notJSON = h.root + "/vars.json"
        try "{\"a\": ".write(toFile: notJSON, atomically: true, encoding: .utf8)
        let json = try h.cli(["run", ok, "--var-file", notJSON])
        #expect(json.status == 2)
        #expect(json.stderr.hasPrefix("error: \(notJSON) is not valid JSON: "), "\(json.stderr)")
        let list = h.root + "/vars.yaml"
        try "- a\n- b\n".write(toFile: list, atomically: true, encoding: .utf8)
        let notMapping = try h.cli(["run", ok, "--var-file", list])
        #expect(notMapping.status == 2)
        #expect(notMapping.stderr == "error: the variable file \(list) must hold a mapping of names to values, not array\n")
        let missing = try h.cli(["run", ok, "--var-file", h.root + "/none.yaml"])
        #expect(missing.status == 2)
        #expect(missing.stderr.hasPrefix("error: cannot read the variable file \(h.root)/none.yaml: "), "\(missing.stderr)")
        let broken = h.root + "/broken.yaml"
        try "a: [1, 2\n".write(toFile: broken, atomically: true, encoding: .utf8)
        let yaml = try h.cli(["run", ok, "--var-file", broken])
        #expect(yaml.status == 2)
        #expect(yaml.stderr.hasPrefix("\(broken):"), "a YAML error names file:line:column: \(yaml.stderr)")
        #expect(try Self.errorDocument(h, ["run", ok, "--var-file", list]).doc["code"] == .string("variable_file_invalid"))
    }

    @Test func secretAndUsageErrorsCarryTheirCodes() throws {
        let h = try EngineHarness("code-secret")
        defer { h.cleanup() }
        let ok = try h.write("stages: [{name: a, tools: [echo], args: {message: hi}}]", name: "ok.yaml")
        let unset = try Self.errorDocument(h, ["run", ok, "--secret", "WFHOST_TEST_UNSET_SECRET"])
        #expect(unset.status == 2)
        #expect(unset.doc["code"] == .string("secret_invalid"))
        #expect(unset.doc["error"] == .string("--secret WFHOST_TEST_UNSET_SECRET: the environment variable WFHOST_TEST_UNSET_SECRET is not set"))
        let onArgv = try Self.errorDocument(h, ["run", ok, "--secret", "token=hunter22"])
        #expect(onArgv.status == 2)
        #expect(onArgv.doc["code"] == .string("secret_invalid"), "argument-parser reports it, the code says what it was")
        let usage = try Self.errorDocument(h, ["logs"])
        #expect(usage.status == 2)
        #expect(usage.doc["code"] == .string("usage"))
        let unknownSession = try Self.errorDocument(h, ["status", "nosuch"])
        #expect(unknownSession.doc["code"] == .string("invalid_request"))
    }
}
