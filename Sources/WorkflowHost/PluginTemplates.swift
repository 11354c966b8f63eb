/// The files `wfhost plugins new` writes, one language at a time. Each builds with -Werror (or its language's
/// equivalent) as it stands, declares one tool with an example, and its `make test` runs `wfhost plugins validate`
/// and `wfhost plugins test`.
enum PluginTemplates {
    static func cMakefile(_ name: String, source: String, cpp: Bool, include: String, wfhost: String) -> String {
        let compiler = cpp ? "CXX ?= c++\nSTD := -std=c++17" : "CC ?= cc\nSTD := -std=c99"
        let command = cpp ? "$(CXX)" : "$(CC)"
        return """
            # \(name): a wfhost plugin (written by `wfhost plugins new`).
            #   make        builds \(name).so
            #   make test   validates it and runs its declared examples (`wfhost plugins test`)
            # The SDK headers: pkg-config's wfhost-plugin when it is on PKG_CONFIG_PATH, else the wfhost that wrote this.
            \(compiler)
            WFHOST ?= \(wfhost)
            SDK_CFLAGS ?= $(shell pkg-config --cflags wfhost-plugin 2>/dev/null || echo -I\(include))
            FLAGS := $(STD) -Wall -Wextra -pedantic -Werror -O2 -shared -fPIC -fvisibility=hidden

            .PHONY: all test clean

            all: \(name).so

            \(name).so: \(source)
            \t\(command) $(FLAGS) $(SDK_CFLAGS) -o $@ $<

            test: \(name).so
            \t$(WFHOST) plugins validate ./\(name).so
            \t$(WFHOST) plugins test ./\(name).so

            clean:
            \trm -f \(name).so

            """
    }

    static func cSource(_ name: String) -> String {
        """
        /* \(name): a wfhost plugin (written by `wfhost plugins new`). The SDK guide is wfhost's share/doc/wfhost/SDK.md. */
        #include <wfhost/plugin.h>
        #include <wfhost/json.h>

        /* greet: {"name": "Ada"} -> {"greeting": "hello, Ada"} */
        static wfh_status greet(const wfh_host *host, wfh_call *call, const wfh_request *request) {
            char name[256], greeting[300];
            if (wfh_arg_string(request, "name", name, sizeof name) >= (long)sizeof name)
                return wfh_fail(host, call, "name_too_long", "the name is longer than 255 bytes", 0);
            snprintf(greeting, sizeof greeting, "hello, %s", name);
            wfh_jw w = WFH_JW_INIT;
            wfh_jw_begin_object(&w);
            wfh_jw_key(&w, "greeting");
            wfh_jw_string(&w, greeting);
            wfh_jw_end_object(&w);
            return wfh_jw_finish(host, call, &w);
        }

        static const wfh_example greet_examples[] = {
            WFH_EXAMPLE("greets by name", "{\\"name\\":\\"Ada\\"}", "{\\"greeting\\":\\"hello, Ada\\"}"),
        };

        static const wfh_tool tools[] = {
            WFH_TOOL_WITH_EXAMPLES("greet", "Greet", "Returns a greeting for the given name.",
                                   "{\\"type\\":\\"object\\",\\"properties\\":{\\"name\\":{\\"type\\":\\"string\\"}},"
                                   "\\"required\\":[\\"name\\"],\\"additionalProperties\\":false}",
                                   "{\\"type\\":\\"object\\",\\"properties\\":{\\"greeting\\":{\\"type\\":\\"string\\"}},"
                                   "\\"required\\":[\\"greeting\\"]}",
                                   WFH_TOOL_IDEMPOTENT, greet, greet_examples),
        };

        WFH_PLUGIN_DEFINE("\(name)", "0.1.0", "Greets (a plugin written by wfhost plugins new).", "MIT", "Your Name",
                          NULL, tools)

        """
    }

    static func cppSource(_ name: String) -> String {
        """
        // \(name): a wfhost plugin in C++ (written by `wfhost plugins new`). The SDK guide is share/doc/wfhost/SDK.md.
        #include <wfhost/plugin.h>
        #include <wfhost/json.h>
        #include <string>

        namespace {

        // greet: {"name": "Ada"} -> {"greeting": "hello, Ada"}. No exception may leave a tool function.
        wfh_status greet(const wfh_host *host, wfh_call *call, const wfh_request *request) noexcept {
            try {
                char name[256];
                if (wfh_arg_string(request, "name", name, sizeof name) >= static_cast<long>(sizeof name))
                    return wfh_fail(host, call, "name_too_long", "the name is longer than 255 bytes", 0);
                std::string greeting = std::string("hello, ") + name;
                wfh_jw w = WFH_JW_INIT;
                wfh_jw_begin_object(&w);
                wfh_jw_key(&w, "greeting");
                wfh_jw_string_n(&w, greeting.data(), greeting.size());
                wfh_jw_end_object(&w);
                return wfh_jw_finish(host, call, &w);
            } catch (...) {
                return wfh_fail(host, call, "internal", "unexpected C++ exception", 0);
            }
        }

        const wfh_example greet_examples[] = {
            WFH_EXAMPLE("greets by name", "{\\"name\\":\\"Ada\\"}", "{\\"greeting\\":\\"hello, Ada\\"}"),
        };

        const wfh_tool tools[] = {
            WFH_TOOL_WITH_EXAMPLES("greet", "Greet", "Returns a greeting for the given name.",
                                   R"({"type":"object","properties":{"name":{"type":"string"}},)"
                                   R"("required":["name"],"additionalProperties":false})",
                                   R"({"type":"object","properties":{"greeting":{"type":"string"}},"required":["greeting"]})",
                                   WFH_TOOL_IDEMPOTENT, greet, greet_examples),
        };

        } // namespace

        WFH_PLUGIN_DEFINE("\(name)", "0.1.0", "Greets (a plugin written by wfhost plugins new).", "MIT", "Your Name",
                          nullptr, tools)

        """
    }

    // MARK: Rust

    /// A TOML basic string.
    static func toml(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func cargoToml(_ name: String, crate: String) -> String {
        """
        # \(name): a wfhost plugin in Rust (written by `wfhost plugins new`).
        # The binding crate comes by path from the wfhost that wrote this: `cargo build --offline` downloads nothing.
        [package]
        name = "\(name)"
        version = "0.1.0"
        edition = "2021"
        publish = false

        [lib]
        crate-type = ["cdylib"]

        [dependencies]
        wfhost-plugin = { path = \(toml(crate)) }

        """
    }

    static func rustMakefile(_ name: String, wfhost: String) -> String {
        """
        # \(name): a wfhost plugin in Rust (written by `wfhost plugins new`).
        #   make        builds \(name).so (cargo build --release --offline)
        #   make test   runs the crate's tests, validates \(name).so and runs its declared examples (`wfhost plugins test`)
        CARGO ?= cargo
        WFHOST ?= \(wfhost)

        .PHONY: all test clean \(name).so

        all: \(name).so

        \(name).so:
        \t$(CARGO) build --release --offline
        \tcp target/release/lib\(name).so \(name).so

        test: \(name).so
        \t$(CARGO) test --offline
        \t$(WFHOST) plugins validate ./\(name).so
        \t$(WFHOST) plugins test ./\(name).so

        clean:
        \t$(CARGO) clean
        \trm -f \(name).so

        """
    }

    static func rustSource(_ name: String) -> String {
        """
        //! \(name): a wfhost plugin in Rust (written by `wfhost plugins new`). The SDK guide is wfhost's
        //! share/doc/wfhost/SDK.md; the binding crate documents its API (`cargo doc --open`).
        use wfhost_plugin::{export_plugin, Call, Example, Plugin, Tool, ToolError, Value, IDEMPOTENT};

        /// The greeting for `name`.
        fn greeting(name: &str) -> String {
            format!("hello, {name}")
        }

        /// greet: {"name": "Ada"} -> {"greeting": "hello, Ada"}. The host has checked the arguments against the
        /// input schema, so `name` is a string; check anything the schema cannot say.
        fn greet(_call: &Call, args: &Value) -> Result<Value, ToolError> {
            let name = args.get("name").and_then(Value::as_str).unwrap_or_default();
            if name.len() > 255 {
                return Err(ToolError::new("name_too_long", "the name is longer than 255 bytes"));
            }
            Ok(Value::object().with("greeting", greeting(name)))
        }

        static PLUGIN: Plugin = Plugin {
            name: "\(name)",
            version: "0.1.0",
            description: "Greets (a plugin written by wfhost plugins new).",
            license: Some("MIT"),
            author: Some("Your Name"),
            homepage: None,
            tools: &[Tool {
                name: "greet",
                title: Some("Greet"),
                description: "Returns a greeting for the given name.",
                input_schema: r#"{"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false}"#,
                output_schema: Some(r#"{"type":"object","properties":{"greeting":{"type":"string"}},"required":["greeting"]}"#),
                flags: IDEMPOTENT,
                capabilities: None,
                examples: &[Example {
                    description: "greets by name",
                    args: r#"{"name":"Ada"}"#,
                    expected: Some(r#"{"greeting":"hello, Ada"}"#),
                }],
                run: greet,
            }],
        };

        export_plugin!(PLUGIN);

        #[cfg(test)]
        mod tests {
            #[test]
            fn greets_by_name() {
                assert_eq!(super::greeting("Ada"), "hello, Ada");
            }
        }

        """
    }

    // MARK: Swift

    /// A Swift string literal.
    static func swiftLiteral(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func packageSwift(_ name: String, kit: String) -> String {
        """
        // swift-tools-version: 6.1
        // \(name): a wfhost plugin in Swift (written by `wfhost plugins new`). WfhostPluginKit comes by path from the
        // wfhost that wrote this (its package's identity is its directory's name, `swift`).
        import PackageDescription

        let package = Package(
            name: "\(name)",
            products: [.library(name: "\(name)", type: .dynamic, targets: ["\(name)"])],
            dependencies: [.package(path: \(swiftLiteral(kit)))],
            targets: [
                // The worker has no Swift runtime: -static-stdlib links it into the .so, and exports.map keeps everything
                // but the entry symbol private (the SDK guide, "Linking: the plugin carries its own Swift runtime").
                .target(name: "\(name)", dependencies: [.product(name: "WfhostPluginKit", package: "swift")],
                        linkerSettings: [.unsafeFlags(["-static-stdlib",
                                                       "-Xlinker", "-l:lib_FoundationCollections.a",
                                                       "-Xlinker", "-l:lib_FoundationCShims.a",
                                                       "-Xlinker", "-l:libswiftSynchronization.a",
                                                       "-Xlinker", "--no-undefined",
                                                       "-Xlinker", "--version-script=\\(Context.packageDirectory)/exports.map"])]),
            ],
            swiftLanguageModes: [.v6]
        )

        """
    }

    static let exportsMap = """
        /* Only the plugin's entry symbol leaves the shared object; the statically linked Swift runtime stays private. */
        {
          global: wfhost_plugin_descriptor;
          local: *;
        };

        """

    static func swiftMakefile(_ name: String, wfhost: String) -> String {
        """
        # \(name): a wfhost plugin in Swift (written by `wfhost plugins new`).
        #   make        builds \(name).so (swift build -c release)
        #   make test   validates it and runs its declared examples (`wfhost plugins test`)
        SWIFT ?= swift
        WFHOST ?= \(wfhost)

        .PHONY: all test clean \(name).so

        all: \(name).so

        \(name).so:
        \t$(SWIFT) build -c release --product \(name)
        \tcp "$$($(SWIFT) build -c release --show-bin-path)/lib\(name).so" \(name).so

        test: \(name).so
        \t$(WFHOST) plugins validate ./\(name).so
        \t$(WFHOST) plugins test ./\(name).so

        clean:
        \trm -rf .build \(name).so

        """
    }

    static func swiftSource(_ name: String) -> String {
        """
        // \(name): a wfhost plugin in Swift (written by `wfhost plugins new`). The SDK guide is wfhost's
        // share/doc/wfhost/SDK.md, "Writing plugins in Swift".
        import WfhostPluginKit

        struct GreetArguments: Decodable { var name: String }
        struct Greeting: Encodable { var greeting: String }

        /// greet: {"name": "Ada"} -> {"greeting": "hello, Ada"}
        let greet = Tool(
            name: "greet", title: "Greet", description: "Returns a greeting for the given name.",
            inputSchema: #"{"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false}"#,
            outputSchema: #"{"type":"object","properties":{"greeting":{"type":"string"}},"required":["greeting"]}"#,
            idempotent: true,
            examples: [Example("greets by name", arguments: #"{"name":"Ada"}"#, expected: #"{"greeting":"hello, Ada"}"#)],
            arguments: GreetArguments.self
        ) { args, _ in
            guard args.name.utf8.count <= 255 else {
                throw ToolError(code: "name_too_long", message: "the name is longer than 255 bytes")
            }
            return Greeting(greeting: "hello, \\(args.name)")
        }

        let plugin = Plugin(name: "\(name)", version: "0.1.0", description: "Greets (a plugin written by wfhost plugins new).",
                            license: "MIT", author: "Your Name", tools: [greet])

        @_cdecl("wfhost_plugin_descriptor")
        public func wfhostPluginDescriptor() -> UnsafeRawPointer { plugin.descriptor }

        """
    }
}
