import Engine
import Foundation
import Spec
import Store
import Testing
import WfhostTestSupport
@testable import WorkflowHost // the engine, executor and store behind PreparedRun and WorkflowHost

/// `--secret` and `--secret-file`: values come from the environment or a file, never from argv; every refusal's text.
@Suite struct SecretSourceTests {
    static let env = ["API_TOKEN": "tok-0451-abcd", "OTHER": "other-secret", "SHORT": "abc", "EMPTY": ""]

    func resolve(_ arguments: [String], files: [String: String] = [:]) throws(WorkflowHostError) -> [String: String] {
        try SecretSources.resolve(arguments: arguments, files: files.keys.sorted(), environment: Self.env) { path in
            guard let text = files[path] else { throw CocoaError(.fileNoSuchFile) }
            return text
        }
    }

    func message(_ arguments: [String], files: [String: String] = [:]) -> String? {
        do {
            _ = try resolve(arguments, files: files)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func namesReadTheEnvironment() throws {
        #expect(try resolve(["API_TOKEN"]) == ["API_TOKEN": "tok-0451-abcd"])
        #expect(try resolve(["token=env:API_TOKEN", "other=env:OTHER"]) == ["token": "tok-0451-abcd", "other": "other-secret"])
    }

    @Test func aValueOnTheCommandLineIsRefused() {
        #expect(message(["token=hunter22"]) == """
            error: --secret token=... puts the secret's value on the command line, which every local user can read \
            (ps, /proc/PID/cmdline)
              hint: export it and pass its name: `--secret NAME` reads the environment variable NAME, \
            `--secret NAME=env:VAR` reads VAR; or list name=value lines in a file only you can read and pass \
            --secret-file FILE
            """)
        #expect(message(["token=hunter22"])?.contains("hunter22") == false, "the refusal does not repeat the value")
    }

    @Test func badNamesAreRefused() {
        #expect(message(["=env:X"]) == "error: --secret needs a name\n  hint: a name has letters, digits, '_' and '-'; "
                + "`--secret NAME` reads the environment variable NAME, `--secret NAME=env:VAR` reads VAR")
        #expect(message(["a b"]) == "error: --secret 'a b' is not a secret name\n  hint: a name has letters, digits, "
                + "'_' and '-'; `--secret NAME` reads the environment variable NAME, `--secret NAME=env:VAR` reads VAR")
        #expect(message(["token=env:"]) == "error: --secret token=env: does not name an environment variable\n"
                + "  hint: write --secret token=env:VAR, where VAR is a name such as API_TOKEN")
    }

    @Test func aMissingVariableIsNamed() {
        #expect(message(["token=env:NOT_SET"]) == "error: --secret token=env:NOT_SET: the environment variable NOT_SET "
                + "is not set\n  hint: set it before running (`export NOT_SET=...`, or from your CI's secret store), "
                + "or give the secret with --secret-file FILE")
        #expect(message(["NOT_SET"])?.hasPrefix("error: --secret NOT_SET: the environment variable NOT_SET is not set") == true)
    }

    @Test func shortSecretsAreRefused() throws {
        let hint = "\n  hint: a secret is masked as *** wherever it appears, so a short one would rewrite ordinary output "
            + "(masking `e` changes every line); use the real secret, or pass a value that is not secret with --var"
        #expect(message(["SHORT"]) == "error: the secret 'SHORT' from the environment variable SHORT is 3 characters "
                + "long; secrets shorter than 4 characters are refused" + hint)
        #expect(message(["x=env:EMPTY"]) == "error: the secret 'x' from the environment variable EMPTY is empty; "
                + "secrets shorter than 4 characters are refused" + hint)
        #expect(message([], files: ["s.env": "pin=1\n"]) == "error: the secret 'pin' in s.env is 1 character long; "
                + "secrets shorter than 4 characters are refused" + hint)
        #expect(try resolve(["x=env:OTHER"]) == ["x": "other-secret"], "4 characters and more are accepted")
    }

    @Test func secretFilesReadNameValueLines() throws {
        let text = "# deploy secrets\n\ntoken=tok=with=equals\n  spaced = value with spaces \r\nlast=no-newline"
        #expect(try resolve([], files: ["s.env": text])
                == ["token": "tok=with=equals", "spaced": "value with spaces", "last": "no-newline"])
        // A --secret given after the file wins.
        #expect(try resolve(["token=env:OTHER"], files: ["s.env": "token=from-the-file"]) == ["token": "other-secret"])
    }

    @Test func malformedSecretFileLinesNameFileAndLine() {
        let hint = "write one secret per line as name=value; blank lines and lines starting with # are ignored"
        #expect(message([], files: ["s.env": "# c\nok=fine-value\njust-a-pasted-value\n"])
                == "error: s.env:3: not a name=value line\n  hint: " + hint)
        #expect(message([], files: ["s.env": "\n\nbad name=value\n"])
                == "error: s.env:3: the part before '=' is not a secret name\n  hint: a name has letters, digits, "
                + "'_' and '-'; " + hint)
        #expect(message([], files: ["s.env": "a=first-value\na=second-value\n"])
                == "error: s.env:2: the secret 'a' is already given on line 1\n  hint: keep one line per secret")
        #expect(message([], files: ["s.env": "just-a-pasted-value\n"])?.contains("pasted") == false,
                "the line, which may be a secret, is not quoted")
    }

    @Test func anUnreadableSecretFileIsNamed() {
        do {
            _ = try SecretSources.resolve(arguments: [], files: ["/nonexistent/secrets.env"], environment: [:])
            Issue.record("no error")
        } catch {
            #expect(error.message.hasPrefix("cannot read the secret file /nonexistent/secrets.env: "))
            #expect(error.hint == "check the path and its permissions")
        }
    }
}

/// The workflow text stored with a session holds no `!secret` value, whatever its YAML style.
@Suite struct StoredSecretMaskingTests {
    @Test func aPEMBlockScalarSecretIsNotStored() throws {
        let h = try EngineHarness("secret-pem")
        defer { h.cleanup() }
        let pem = ["-----BEGIN RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEAz9Xh3kR2vLq8yJc0mN5pQ7tW1sD4fG6hJ8kL0zX2cV4bN6mQ",
                   "a1S3d5F7g9H1j3K5l7Z9x1C3v5B7n9M1q3W5e7R9t1Y3u5I7o9P1a3S5d7F9g1H3", "-----END RSA PRIVATE KEY-----"]
        let file = try h.write("""
            variables:
              deploy_key: !secret |
            \(pem.map { "    " + $0 }.joined(separator: "\n"))
              region: eu-west-1
            stages:
              - {name: show, tools: [{name: echo, args: {message: "${region}"}}]}
            """)
        let prepared = try h.host.prepareRun(file: file, options: RunOptions(), sink: EventRecorder())
        prepared.executor.shutdownAll()
        let stored = try #require(try h.store().session(prepared.session)).workflowText
        for line in pem { #expect(!stored.contains(line), "the stored text holds '\(line)'") }
        #expect(stored.contains("    deploy_key: !secret '***'\n    region: eu-west-1\n"), "\(stored)")
        // Resume reads the stored text back: it must still validate.
        #expect(try h.host.explainResume(prepared.session).stages.map(\.stage) == ["show"])
        #expect(RunOptionsCodec.secretNames(try #require(try h.store().session(prepared.session)).options) == ["deploy_key"])
    }
}
