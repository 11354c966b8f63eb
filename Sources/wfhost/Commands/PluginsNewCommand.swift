import ArgumentParser
import WorkflowHost
import Foundation

/// `wfhost plugins new NAME --lang c|cpp [--dir D]`: a plugin project that builds and tests as it stands.
struct PluginsNew: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Write a plugin project: one tool with a declared example, a Makefile, and `make test`.",
        discussion: """
            The project builds with `make` against the SDK headers of this wfhost (found beside the executable, or \
            given with --sdk) and `make test` runs `wfhost plugins validate` and `wfhost plugins test` on the \
            result. Exit codes: 0 written; 2 an invalid name or an existing, non-empty directory; 3 the SDK headers \
            were not found or a file could not be written.
            """)

    enum Language: String, ExpressibleByArgument, CaseIterable {
        case c, cpp
    }

    @Argument(help: "The plugin's name: [a-z][a-z0-9_]*.") var name: String
    @Option(help: "The language of the project.") var lang: Language
    @Option(help: ArgumentHelp("Where to write the project (default: ./NAME).", valueName: "dir")) var dir: String?
    @Option(help: ArgumentHelp("The SDK's include directory (holding wfhost/plugin.h).", valueName: "dir"))
    var sdk: String?

    func run() throws {
        guard WorkflowHost.isValidPluginName(name) else {
            printError("error: plugin name '\(name)' is invalid\n  hint: names match [a-z][a-z0-9_]* (lowercase "
                       + "letters, digits and underscores, starting with a letter)")
            throw Exit.invalidInput
        }
        let target = dir ?? name
        let fm = FileManager.default
        if let existing = try? fm.contentsOfDirectory(atPath: target), !existing.isEmpty {
            printError("error: \(target) already exists and is not empty\n  hint: choose another directory with --dir")
            throw Exit.invalidInput
        }
        if fm.fileExists(atPath: target) && (try? fm.contentsOfDirectory(atPath: target)) == nil {
            printError("error: \(target) exists and is not a directory\n  hint: choose another directory with --dir")
            throw Exit.invalidInput
        }
        guard let include = sdk ?? Self.sdkIncludeDirectory() else {
            printError("error: cannot find the wfhost SDK headers (wfhost/plugin.h) beside this wfhost\n  hint: pass "
                       + "the include directory of an installed wfhost tree with --sdk DIR")
            throw Exit.environment
        }
        guard fm.fileExists(atPath: include + "/wfhost/plugin.h") else {
            printError("error: \(include) holds no wfhost/plugin.h\n  hint: --sdk names the directory that holds "
                       + "wfhost/plugin.h, such as the install tree's include/")
            throw Exit.invalidInput
        }
        let wfhost = (WorkflowHost.executableDirectory ?? "") + "/wfhost"
        let source = name + (lang == .c ? ".c" : ".cpp")
        let files = [
            (source, lang == .c ? Self.cSource(name) : Self.cppSource(name)),
            ("Makefile", Self.makefile(name, source: source, lang: lang, include: absolute(include), wfhost: wfhost)),
            (".gitignore", "*.so\n"),
        ]
        do {
            try fm.createDirectory(atPath: target, withIntermediateDirectories: true)
            for (file, text) in files {
                try Data(text.utf8).write(to: URL(fileURLWithPath: target + "/" + file))
            }
        } catch {
            printError("error: cannot write the project in \(target): \(error.localizedDescription)")
            throw Exit.environment
        }
        print("wrote \(target)/: \(files.map(\.0).joined(separator: ", "))")
        print("next: make -C \(target) && make -C \(target) test")
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// The install tree's `include/` beside `bin/`, else (a build folder in a checkout) the checkout's `SDK/include`.
    static func sdkIncludeDirectory() -> String? {
        guard let exe = WorkflowHost.executableDirectory else { return nil }
        var candidates = [exe + "/../include"]
        var url = URL(fileURLWithPath: exe)
        for _ in 0..<4 {
            url.deleteLastPathComponent()
            candidates.append(url.path + "/SDK/include")
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/wfhost/plugin.h") }
            .map { URL(fileURLWithPath: $0).standardizedFileURL.path }
    }

    static func makefile(_ name: String, source: String, lang: Language, include: String, wfhost: String) -> String {
        let compiler = lang == .c ? "CC ?= cc\nSTD := -std=c99" : "CXX ?= c++\nSTD := -std=c++17"
        let command = lang == .c ? "$(CC)" : "$(CXX)"
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
        /* \(name): a wfhost plugin (written by `wfhost plugins new`). The SDK guide is wfhost's SDK/README.md. */
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
        // \(name): a wfhost plugin in C++ (written by `wfhost plugins new`). The SDK guide is wfhost's SDK/README.md.
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
}
