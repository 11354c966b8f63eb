import Foundation
import Testing

/// Each tool, called in this process on the fixture repositories, with exact expected results.
@Suite struct ToolTests {
    let harness: PluginHarness
    init() throws { harness = try PluginHarness.load() }

    func json(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    func result(_ tool: String, _ args: [String: Any]) throws -> String {
        let outcome = harness.call(tool, try json(args))
        if let error = outcome.error { Issue.record("\(tool) failed: \(error.code): \(error.message)") }
        return outcome.result ?? ""
    }

    @Test func descriptorListsTheTwelveToolsAndDetection() throws {
        #expect(String(cString: harness.descriptor.pointee.name) == "containerization")
        #expect(harness.toolNames == [
            "analyze_repository_atomic", "generate_dockerfile", "validate_dockerfile_atomic", "scan_secrets_atomic",
            "generate_manifests_atomic", "detect_container_cli_atomic", "build_image_atomic", "tag_image_atomic",
            "push_image_atomic", "pull_image_atomic", "scan_image_security_atomic", "deploy_kubernetes_atomic",
            "check_health_atomic",
        ])
        // Capabilities the sandbox enforces.
        let build = try #require(harness.tool(named: "build_image_atomic")?.pointee.capabilities)
        #expect(build.pointee.network == 1)
        // validate_dockerfile_atomic reads exactly the file it is given (the host resolves the argument).
        let validate = try #require(harness.tool(named: "validate_dockerfile_atomic")?.pointee.capabilities)
        #expect(validate.pointee.network == 0)
        #expect(validate.pointee.read_paths.map { String(cString: $0[0]!) } == "${arg:dockerfile_path}")
        #expect(validate.pointee.write_paths == nil)
    }

    static let analyses: [(String, String)] = [
        ("go", #"{"app_name":"orders-api","build_system":"go","dependency_files":["go.mod","go.sum"],"dockerfile_exists":false,"entry_point":"./cmd/server","framework":"gin","has_dockerfile":false,"language":"go","language_version":"1.22","languages":["go"],"port":8081,"ports":[8081],"repo_path":"ROOT/go"}"#),
        ("node", #"{"app_name":"greeter-service","build_system":"npm","dependency_files":["package.json","package-lock.json"],"dockerfile_exists":false,"entry_point":"src/server.js","framework":"express","has_dockerfile":false,"language":"javascript","language_version":"20","languages":["javascript"],"port":3000,"ports":[3000],"repo_path":"ROOT/node"}"#),
        ("python", #"{"app_name":"python","build_system":"pip","dependency_files":["requirements.txt"],"dockerfile_exists":false,"entry_point":"app.py","framework":"flask","has_dockerfile":false,"language":"python","language_version":"3.11.9","languages":["python"],"port":5001,"ports":[5001],"repo_path":"ROOT/python"}"#),
        ("java", #"{"app_name":"inventory","build_system":"maven","dependency_files":["pom.xml"],"dockerfile_exists":false,"entry_point":"target/inventory.jar","framework":"spring-boot","has_dockerfile":false,"language":"java","language_version":"17","languages":["java"],"port":9090,"ports":[9090],"repo_path":"ROOT/java"}"#),
        ("swift", #"{"app_name":"todo-server","build_system":"swiftpm","dependency_files":["Package.swift"],"dockerfile_exists":false,"entry_point":"App","framework":"vapor","has_dockerfile":false,"language":"swift","language_version":"5.10","languages":["swift"],"port":8088,"ports":[8088],"repo_path":"ROOT/swift"}"#),
        ("rust", #"{"app_name":"ledger","build_system":"cargo","dependency_files":["Cargo.toml","Cargo.lock"],"dockerfile_exists":false,"entry_point":"ledger","framework":"axum","has_dockerfile":false,"language":"rust","language_version":"1.78","languages":["rust"],"port":7000,"ports":[7000],"repo_path":"ROOT/rust"}"#),
        ("dotnet", #"{"app_name":"billing","build_system":"dotnet","dependency_files":["Billing.csproj"],"dockerfile_exists":false,"entry_point":"Billing.dll","framework":"aspnetcore","has_dockerfile":false,"language":"csharp","language_version":"8.0","languages":["csharp"],"port":8080,"ports":[8080],"repo_path":"ROOT/dotnet"}"#),
    ]

    @Test(arguments: analyses) func analysis(fixture: String, expected: String) throws {
        let text = try result("analyze_repository_atomic", ["repo_url": Paths.fixtures + "/" + fixture])
        #expect(text == expected.replacingOccurrences(of: "ROOT", with: Paths.fixtures))
    }

    @Test func analysisTakesFileURLsAndHintsAndRejectsUnknownProjects() throws {
        let viaURL = try result("analyze_repository_atomic", ["repo_url": "file://" + Paths.fixtures + "/rust"])
        #expect(viaURL.contains(#""language":"rust""#))
        let none = harness.call("analyze_repository_atomic", try json(["repo_url": Paths.fixtures + "/clean"]))
        #expect(none.error?.code == "unsupported")
        let missing = harness.call("analyze_repository_atomic", try json(["repo_url": "/nonexistent/repo"]))
        #expect(missing.error?.code == "not_found")
        #expect(missing.error?.message == "the repository /nonexistent/repo does not exist or is not a directory")
        let bad = harness.call("analyze_repository_atomic", #"{"repo":"x"}"#)
        #expect(bad.error?.code == "invalid_args")
        #expect(bad.error?.message == "the arguments cannot be read: 'repo_url' is required")
    }

    @Test func dockerfileForNode() throws {
        let text = try result("generate_dockerfile", ["repo_path": Paths.fixtures + "/node", "dry_run": true])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["written"] as? Bool == false)
        #expect(object["base_image"] as? String == "node:20-alpine")
        #expect(object["content"] as? String == """
            # syntax=docker/dockerfile:1
            # Generated by wfhost containerization for a javascript project (express).

            FROM node:20-alpine AS build
            WORKDIR /src
            COPY package*.json yarn.lock* pnpm-lock.yaml* ./
            RUN npm ci --omit=dev
            COPY . .

            FROM node:20-alpine
            WORKDIR /app
            RUN addgroup -S app && adduser -S -G app app
            ENV NODE_ENV=production
            COPY --from=build --chown=app:app /src /app
            EXPOSE 3000
            HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \\
              CMD wget -qO- http://127.0.0.1:3000/ >/dev/null || exit 1
            USER app
            CMD ["node", "src/server.js"]

            """)
    }

    static let images: [(String, String, String)] = [
        ("go", "FROM golang:1.22-alpine AS build", "FROM alpine:3.20"),
        ("python", "FROM python:3.11-slim AS build", "FROM python:3.11-slim"),
        ("java", "FROM maven:3.9-eclipse-temurin-17 AS build", "FROM eclipse-temurin:17-jre"),
        ("swift", "FROM swift:6.0-jammy AS build", "FROM swift:6.0-jammy-slim"),
        ("rust", "FROM rust:1.79-slim AS build", "FROM debian:12-slim"),
        ("dotnet", "FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build", "FROM mcr.microsoft.com/dotnet/aspnet:8.0"),
    ]

    /// Every generated Dockerfile is multi-stage, runs as a non-root user and passes the validator with no findings.
    @Test(arguments: images) func generatedDockerfilesPassValidation(fixture: String, build: String, runtime: String) throws {
        let text = try result("generate_dockerfile", ["repo_path": Paths.fixtures + "/" + fixture, "dry_run": true])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let content = try #require(object["content"] as? String)
        let froms = content.split(separator: "\n").filter { $0.hasPrefix("FROM ") }.map(String.init)
        #expect(froms == [build, runtime])
        #expect(content.contains("\nUSER app\n"))
        let validation = try result("validate_dockerfile_atomic", ["dockerfile_content": content])
        #expect(validation == #"{"counts":{"error":0,"info":0,"warning":0},"findings":[],"passed":true,"severity_threshold":"error"}"#)
    }

    @Test func generateWritesOnceAndKeepsAnExistingDockerfile() throws {
        let tmp = try TemporaryDirectory()
        let repo = try tmp.copy(fixture: "go")
        let first = harness.call("generate_dockerfile", try json(["repo_path": repo]))
        #expect(first.error == nil)
        #expect(tmp.read("go/Dockerfile").hasPrefix("# syntax=docker/dockerfile:1\n"))
        let second = harness.call("generate_dockerfile", try json(["repo_path": repo]))
        #expect(second.error?.code == "already_exists")
        let analysis = try result("analyze_repository_atomic", ["repo_url": repo])
        #expect(analysis.contains(#""has_dockerfile":true"#))
    }

    @Test func validatorFindsEachProblemWithItsLine() throws {
        let text = try result("validate_dockerfile_atomic", [
            "dockerfile_path": Paths.fixtures + "/dockerfiles/bad.Dockerfile", "trusted_registries": ["docker.io"],
            "severity_threshold": "warning",
        ])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        let summary = findings.map { "\($0["line"] ?? 0) \($0["rule"] ?? "") \($0["severity"] ?? "")" }
        #expect(summary == [
            "2 DF008 info", "3 DF001 warning", "4 DF007 error", "6 DF004 warning", "8 DF005 warning",
            "9 DF004 warning", "10 DF002 error", "10 DF006 info", "11 DF007 error", "12 DF003 warning",
        ])
        #expect(object["passed"] as? Bool == false)
        #expect((findings[2]["message"] as? String) == "ENV DB_PASSWORD holds a secret-looking value that stays in the image history; pass it at run time or use a build secret (--secret)")
        // The secret itself is never echoed.
        #expect(!text.contains("hunter2"))
        #expect(!text.contains("abc123def456"))
    }

    @Test func validatorIgnoresRulesAndFailsOnRequest() throws {
        let clean = try result("validate_dockerfile_atomic", ["dockerfile_path": Paths.fixtures + "/dockerfiles/good.Dockerfile"])
        #expect(clean.hasSuffix(#""findings":[],"passed":true,"severity_threshold":"error"}"#))
        let ignored = try result("validate_dockerfile_atomic", [
            "dockerfile_content": "FROM alpine:latest\nUSER app\n", "ignore_rules": ["DF006"],
        ])
        #expect(ignored == #"{"counts":{"error":0,"info":0,"warning":1},"findings":[{"line":1,"message":"base image 'alpine:latest' is tagged latest; pin a version (or a digest) so builds are repeatable","rule":"DF001","severity":"warning"}],"passed":true,"severity_threshold":"error"}"#)
        let failing = harness.call("validate_dockerfile_atomic", try json([
            "dockerfile_content": "FROM alpine:3.20\nENV API_KEY=s3cr3tvalue\n", "fail_on_findings": true,
        ]))
        #expect(failing.error?.code == "validation_failed")
        #expect(failing.error?.message == "the Dockerfile has 1 finding(s) at or above error: line 2: DF007 ENV API_KEY holds a secret-looking value that stays in the image history; pass it at run time or use a build secret (--secret)")
        let neither = harness.call("validate_dockerfile_atomic", "{}")
        #expect(neither.error?.code == "invalid_args")
    }

    @Test func secretScannerFindsPlantedSecretsMasked() throws {
        let text = try result("scan_secrets_atomic", ["scan_path": Paths.fixtures + "/secrets"])
        #expect(text == """
            {"clean":false,"files_scanned":4,"findings":[\
            {"file":"app.py","line":1,"match":"sk_l****","rule":"stripe_key","severity":"high"},\
            {"file":"config/settings.yaml","line":3,"match":"Tr0u****","rule":"password_assignment","severity":"high"},\
            {"file":"config/settings.yaml","line":4,"match":"AKIA****","rule":"aws_access_key_id","severity":"critical"},\
            {"file":"deploy.sh","line":2,"match":"ghp_****","rule":"github_token","severity":"high"},\
            {"file":"keys/id_rsa","line":1,"match":"-----BEGIN RSA PRIVATE KEY-----","rule":"private_key","severity":"critical"}],\
            "scan_path":"\(Paths.fixtures)/secrets"}
            """)
        for secret in ["Tr0ub4dor", "IOSFODNN7EXAMPLE", "abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklmnop12345678"] {
            #expect(!text.contains(secret))
        }
    }

    @Test func secretScannerHasNoFalsePositivesOnCleanFiles() throws {
        let text = try result("scan_secrets_atomic", ["scan_path": Paths.fixtures + "/clean"])
        #expect(text == #"{"clean":true,"files_scanned":3,"findings":[],"scan_path":"\#(Paths.fixtures)/clean"}"#)
        // The language fixtures hold no secrets either (the Python one reads its password from the environment).
        for fixture in ["go", "node", "python", "java", "swift", "rust", "dotnet"] {
            #expect(try result("scan_secrets_atomic", ["scan_path": Paths.fixtures + "/" + fixture]).hasPrefix(#"{"clean":true,"#))
        }
    }

    @Test func secretScannerPatternsAndFailure() throws {
        let only = try result("scan_secrets_atomic", ["scan_path": Paths.fixtures + "/secrets", "file_patterns": ["*.yaml"],
                                                      "exclude_patterns": []])
        #expect(only.contains(#""files_scanned":1,"#))
        let excluded = try result("scan_secrets_atomic", ["scan_path": Paths.fixtures + "/secrets", "exclude_patterns": ["keys", "*.py", "config/"]])
        #expect(excluded.contains(#""files_scanned":1,"#))
        #expect(excluded.contains(#""rule":"github_token""#))
        let failing = harness.call("scan_secrets_atomic", try json(["scan_path": Paths.fixtures + "/secrets", "fail_on_findings": true]))
        #expect(failing.error?.code == "secrets_found")
        #expect(failing.error?.message == "5 secret(s) found in \(Paths.fixtures)/secrets: app.py:1 stripe_key, config/settings.yaml:3 password_assignment, config/settings.yaml:4 aws_access_key_id, deploy.sh:2 github_token, keys/id_rsa:1 private_key")
    }

    @Test func manifests() throws {
        let tmp = try TemporaryDirectory()
        let text = try result("generate_manifests_atomic", [
            "app_name": "greeter", "image_ref": "registry.example/greeter:1.2", "port": 3000, "replicas": 3,
            "namespace": "shop", "service_type": "LoadBalancer", "environment": ["B": "2", "A": "x\"y"],
            "resources": ["memory_limit": "1Gi"], "output_dir": tmp.path + "/k8s",
        ])
        #expect(text.contains(#""written":true"#))
        #expect(tmp.read("k8s/service.yaml") == """
            apiVersion: v1
            kind: Service
            metadata:
              name: greeter
              namespace: shop
              labels:
                app.kubernetes.io/name: greeter
                app.kubernetes.io/managed-by: wfhost
            spec:
              type: LoadBalancer
              selector:
                app.kubernetes.io/name: greeter
              ports:
                - name: http
                  port: 3000
                  targetPort: http

            """)
        let deployment = tmp.read("k8s/deployment.yaml")
        #expect(deployment.contains("\n  replicas: 3\n"))
        #expect(deployment.contains("\n          image: \"registry.example/greeter:1.2\"\n"))
        #expect(deployment.contains("""
                      env:
                        - name: "A"
                          value: "x\\"y"
                        - name: "B"
                          value: "2"
                      resources:
                        requests:
                          cpu: "100m"
                          memory: "128Mi"
                        limits:
                          cpu: "500m"
                          memory: "1Gi"

            """))
    }
}

/// Two copies of the plugin, each with its own statically linked Swift runtime, in this process beside the
/// toolchain's shared runtime: three Swift runtimes, none binding to another's symbols.
@Suite struct RuntimeIsolationTests {
    @Test func twoSwiftPluginsAndTheHostRuntimeInOneProcess() throws {
        let first = try PluginHarness.load()
        let tmp = try TemporaryDirectory()
        let copy = tmp.path + "/second-copy.so"
        try FileManager.default.copyItem(atPath: Paths.plugin, toPath: copy)
        let second = try PluginHarness.open(copy).get()
        #expect(first.descriptor != second.descriptor)
        let args = #"{"dockerfile_content":"FROM alpine\n"}"#
        let a = first.call("validate_dockerfile_atomic", args)
        let b = second.call("validate_dockerfile_atomic", args)
        #expect(a.result != nil)
        #expect(a.result == b.result)
        // Errors, thrown and caught inside each copy's runtime, cross back as plain C strings.
        #expect(second.call("analyze_repository_atomic", "{}").error?.code == "invalid_args")
        // This process's own Swift and Foundation still work after both runtimes initialised.
        let decoded = try JSONDecoder().decode([String: Int].self, from: Data(#"{"n":1}"#.utf8))
        #expect(decoded == ["n": 1])
    }
}
