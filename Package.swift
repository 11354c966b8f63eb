// swift-tools-version: 6.1
import PackageDescription

// SwiftPM links C products through the Swift driver, whose swiftrt.o makes them load libswiftCore. The worker and
// the C plugins use nothing of Swift, so the Makefile builds the copies in dist/ with `cc` (no Swift runtime:
// faster start, and dist/ runs where no toolchain is installed); these targets serve the tests and development.
// The folder layout mirrors ARCHITECTURE.md: one module per part.
let package = Package(
    name: "wfhost",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "wfhost", targets: ["wfhost"]),
        .executable(name: "wfhost-worker", targets: ["wfhost-worker"]),
        .executable(name: "wfhost-mcp", targets: ["wfhost-mcp"]),
        .library(name: "WorkflowHost", targets: ["WorkflowHost"]),
        // The Swift plugin-author kit; outside packages use its copy in dist/share/wfhost/sdk/swift (SDK/swift).
        .library(name: "WfhostPluginKit", targets: ["WfhostPluginKit"]),
        // Shipped plugins: C shared objects built against the SDK header only.
        .library(name: "core", type: .dynamic, targets: ["PluginCore"]),
        .library(name: "chaos", type: .dynamic, targets: ["PluginChaos"]),
        // A Swift plugin: its Swift runtime and Foundation are linked in statically and kept private to it.
        .library(name: "containerization", type: .dynamic, targets: ["PluginContainerization"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // MCP (`wfhost mcp serve`) only: linked into the wfhost-mcp helper, never into bin/wfhost (README, "MCP").
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        // Named here only so that wfhost-mcp can hand the SDK its logger (the SDK's own floor).
        .package(url: "https://github.com/apple/swift-log.git", from: "1.5.0"),
    ],
    targets: [
        // MARK: C layers
        .target(name: "WfhostPluginSDK", path: "SDK", sources: ["src"], publicHeadersPath: "include"),
        .target(name: "CSupport", path: "Sources/CSupport"),
        .target(name: "CSha256", path: "Sources/CSha256"),
        .target(name: "CJSON", dependencies: ["CSupport"], path: "Sources/CJSON"),
        .systemLibrary(name: "CYaml", path: "Sources/CYaml", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),

        // MARK: Swift modules, one job each
        .target(name: "Schema", dependencies: ["CSupport"], path: "Sources/Schema"),
        .target(name: "Spec", dependencies: ["CYaml"], path: "Sources/Spec"),
        .target(name: "Plan", dependencies: ["Spec"], path: "Sources/Plan"),
        .target(name: "SQLite", dependencies: ["CSQLite"], path: "Sources/SQLite"),
        .target(name: "Isolation", dependencies: ["CSupport", "CSha256", "Schema"], path: "Sources/Isolation"),
        .target(name: "Registry", dependencies: ["Isolation", "Schema", "SQLite", "CSupport"], path: "Sources/Registry"),
        .target(name: "Store", dependencies: ["SQLite"], path: "Sources/Store"),
        .target(name: "Engine", dependencies: ["Spec", "Plan", "Isolation", "Registry", "Schema", "Store", "CSha256"],
                path: "Sources/Engine"),
        .target(name: "WorkflowHost", dependencies: ["Registry", "Schema", "Spec", "Plan", "Isolation", "SQLite",
                                                     "Store", "Engine", "WfhostPluginSDK", "CSupport"],
                path: "Sources/WorkflowHost"),
        .executableTarget(name: "wfhost", dependencies: [
            "WorkflowHost",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/wfhost"),

        // The MCP server (`wfhost mcp serve` execs it): a helper in libexec/ so that the MCP SDK, and the libcurl
        // that its Foundation networking needs, stay out of bin/wfhost.
        // Like the CLI, it depends on WorkflowHost alone of this package (`ImportBoundaryTests`).
        .executableTarget(name: "wfhost-mcp", dependencies: [
            "WorkflowHost",
            .product(name: "MCP", package: "swift-sdk"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/wfhost-mcp"),

        // Benchmarks (`make bench`): out of the product modules and the CLI. The library holds the measurements
        // the tests also use (generated workflows and schemas); the executable runs them beside the peers.
        .target(name: "Benchmarks", dependencies: ["Schema", "Spec", "Plan", "SQLite", "Store"], path: "Sources/Benchmarks"),
        .executableTarget(name: "wfhost-bench", dependencies: [
            "Benchmarks", "WorkflowHost", "Isolation", "Registry", "Schema", "Plan", "Store",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/wfhost-bench"),

        .executableTarget(name: "wfhost-api-example", dependencies: ["WorkflowHost"],
                          path: "examples/api-example"),

        // The worker is C on purpose: it must start fast and hold no Swift runtime of its own
        // (plugins written in Swift bring theirs). See Sources/wfhost-worker/README.md.
        .executableTarget(name: "wfhost-worker", dependencies: ["WfhostPluginSDK", "CJSON", "CSupport"], path: "Sources/wfhost-worker", publicHeadersPath: ".",
                          linkerSettings: [.linkedLibrary("dl"), .linkedLibrary("ffi"), .linkedLibrary("seccomp"), .linkedLibrary("m")]),

        // MARK: Plugins
        // What the C plugins share: argument parsing and finishing a call with a JSON result.
        .target(name: "PluginSupport", dependencies: ["WfhostPluginSDK", "CJSON"], path: "Plugins/support"),
        .target(name: "PluginCore", dependencies: ["WfhostPluginSDK", "CSha256", "CJSON", "PluginSupport"],
                path: "Plugins/core", publicHeadersPath: "."),
        .target(name: "PluginChaos", dependencies: ["WfhostPluginSDK", "CJSON", "PluginSupport"], path: "Plugins/chaos",
                publicHeadersPath: "."),
        // The Swift plugin-author kit (SDK/README.md, "Writing plugins in Swift").
        .target(name: "WfhostPluginKit", dependencies: ["WfhostPluginSDK"], path: "SDK/swift/WfhostPluginKit"),
        // -static-stdlib links the Swift runtime into the .so (its archives' symbols stay local: the toolchain's
        // static-stdlib-args.lnk passes --exclude-libs ALL); the version script exports only the entry symbol,
        // so a second Swift runtime in the same process cannot bind to this one's, or this one to it.
        .target(name: "PluginContainerization", dependencies: ["WfhostPluginKit"], path: "Plugins/containerization",
                exclude: ["exports.map"],
                linkerSettings: [.unsafeFlags(["-static-stdlib",
                                               "-Xlinker", "-l:lib_FoundationCollections.a", "-Xlinker", "-l:lib_FoundationCShims.a",
                                               "-Xlinker", "-l:libswiftSynchronization.a", "-Xlinker", "--no-undefined",
                                               "-Xlinker",
                                               "--version-script=\(Context.packageDirectory)/Plugins/containerization/exports.map"])]),

        // MARK: Tests
        .testTarget(name: "SchemaTests", dependencies: ["Schema", "Benchmarks"], path: "Tests/SchemaTests", exclude: ["Fixtures"]),
        .testTarget(name: "SpecTests", dependencies: ["Spec", "Plan", "Benchmarks"], path: "Tests/SpecTests",
                    exclude: ["Fixtures"]),
        .target(name: "WfhostTestSupport", path: "Tests/Support"),
        .testTarget(name: "SessionTests", dependencies: ["Schema", "WfhostTestSupport"], path: "Tests/SessionTests", exclude: ["Fixtures"]),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", "WorkflowHost", "WfhostTestSupport"], path: "Tests/RegistryTests",
                    exclude: ["Fixtures"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "WorkflowHost", "Store", "Registry", "Schema", "Spec", "SQLite",
                                                          "WfhostTestSupport"],
                    path: "Tests/EngineTests", exclude: ["Fixtures"]),
        .testTarget(name: "IsolationTests", dependencies: ["Isolation", "WorkflowHost", "Engine", "Registry", "Schema",
                                                             "WfhostTestSupport"],
                    path: "Tests/IsolationTests", exclude: ["Fixtures"]),
        .testTarget(name: "MCPTests", dependencies: ["wfhost-mcp", "Schema", "Spec", "WfhostTestSupport",
                                                  .product(name: "MCP", package: "swift-sdk")],
                    path: "Tests/MCPTests", exclude: ["Fixtures"]),
        // The CLI's own parts (`@testable import wfhost`): the one mapping of API error codes to exit codes.
        .testTarget(name: "CLITests", dependencies: ["wfhost", "WorkflowHost"], path: "Tests/CLITests"),
        .testTarget(name: "ContainerizationTests", dependencies: ["WfhostPluginSDK"],
                    path: "Tests/ContainerizationTests", exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
