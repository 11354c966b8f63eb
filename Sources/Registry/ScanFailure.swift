import Isolation

/// Why a plugin file could not be read: what the scanner child reported, or how the child ended.
public struct ScanFailure: Error, Sendable, Hashable {
    /// The scanner's code: `not_elf`, `not_shared_object`, `wrong_architecture`, `missing_dependency`,
    /// `undefined_symbol`, `load_failed`, `missing_entry_symbol`, `bad_descriptor`, `abi_mismatch`, or the host's
    /// `crashed`, `timeout`, `exited`, `protocol`, `unreadable`, `untrusted` (refused unloaded: --require-trusted).
    public var kind: String
    /// The scanner's or the loader's text.
    public var message: String
    /// The last lines the plugin printed to stderr while loading (may be empty).
    public var stderrTail: String
    /// For `abi_mismatch`: the plugin's "major.minor".
    public var pluginABI: String?

    public init(kind: String, message: String, stderrTail: String = "", pluginABI: String? = nil) {
        self.kind = kind
        self.message = message
        self.stderrTail = stderrTail
        self.pluginABI = pluginABI
    }

    /// Failures whose cause may lie outside the plugin file: a missing library or symbol (installed later), a
    /// load that timed out (a busy machine), a scanner that could not start or confine itself. The registry
    /// rechecks them on every refresh; every other failure stays until the file changes or a forced scan.
    public var mayComeFromOutside: Bool {
        ["missing_dependency", "undefined_symbol", "timeout", "spawn_failed", "sandbox_failed"].contains(kind)
    }

    /// ABI mismatch is "incompatible"; everything else is "failed".
    var isIncompatible: Bool { kind == "abi_mismatch" }

    /// The finding a user reads: what happened, and what to do, and how the registry picks up the fix.
    public func finding(path: String, hostABI: String) -> Finding {
        var f = baseFinding(path: path, hostABI: hostABI)
        // Kinds fixed only by rebuilding the file are rescanned when it changes; the hint says so already.
        let intrinsic = ["abi_mismatch", "unreadable", "replaced", "not_elf", "not_shared_object", "wrong_architecture",
                         "missing_entry_symbol", "mangled_entry_symbol", "bad_descriptor", "untrusted"]
        guard !intrinsic.contains(kind), let hint = f.hint else { return f }
        f.hint = hint + (mayComeFromOutside
            ? "; wfhost rechecks it at every registry refresh (`wfhost plugins scan --force` rechecks all files now)"
            : "; it stays failed until the file changes or you run `wfhost plugins scan --force`")
        return f
    }

    func baseFinding(path: String, hostABI: String) -> Finding {
        let notPlugin = "a wfhost plugin is a shared library built with `cc -shared -fPIC $(pkg-config --cflags "
            + "wfhost-plugin) ...` (the SDK guide: share/doc/wfhost/SDK.md in the install tree); remove this file from the plugin path or rebuild it"
        let stderrNote = stderrTail.isEmpty ? "" : "; its stderr ended with: \(Self.lastLines(stderrTail))"
        switch kind {
        case "not_elf", "not_shared_object":
            return Finding(.error, kind, path: path, "not a plugin: \(message)", hint: notPlugin)
        case "wrong_architecture":
            return Finding(.error, kind, path: path, "cannot load: \(message)",
                           hint: "rebuild the plugin for this machine's architecture")
        case "missing_dependency":
            return Finding(.error, kind, path: path, "cannot load: a library it needs is missing: \(message)",
                           hint: "install the missing library or link it statically; `ldd \(path)` lists what the "
                               + "plugin needs")
        case "undefined_symbol":
            return Finding(.error, kind, path: path, "cannot load: \(message)",
                           hint: "link the plugin against the library that defines the symbol (add -l... when "
                               + "building), or rebuild it against this system's libraries")
        case "load_failed":
            return Finding(.error, kind, path: path, "cannot load: \(message)", hint: notPlugin)
        case "missing_entry_symbol":
            return Finding(.error, kind, path: path,
                           "not a wfhost plugin: it does not export the entry symbol 'wfhost_plugin_descriptor'",
                           hint: "define the plugin with WFH_PLUGIN_DEFINE(...) from <wfhost/plugin.h>; if you "
                               + "build with -fvisibility=hidden, the macro's WFH_EXPORT keeps the symbol visible")
        case "mangled_entry_symbol":
            return Finding(.error, kind, path: path,
                           "not a wfhost plugin: the entry symbol is C++-mangled ('\(message)'), so "
                               + "'wfhost_plugin_descriptor' is not exported",
                           hint: "give the entry function C linkage: use WFH_PLUGIN_DEFINE(...) from "
                               + "<wfhost/plugin.h> (it declares it extern \"C\"), or write extern \"C\" WFH_EXPORT "
                               + "const wfh_plugin *wfhost_plugin_descriptor(void)")
        case "bad_descriptor":
            return Finding(.error, kind, path: path, "invalid descriptor: \(message)",
                           hint: "build the descriptor with WFH_PLUGIN_DEFINE from <wfhost/plugin.h>")
        case "abi_mismatch":
            let hostMajor = hostABI.prefix { $0 != "." }
            return Finding(.error, kind, path: path,
                           "incompatible plugin ABI: the plugin was built against ABI \(pluginABI ?? "?"), but this "
                               + "wfhost loads ABI \(hostMajor).x (host ABI \(hostABI))",
                           hint: "rebuild the plugin against SDK \(hostMajor) (the include/wfhost/plugin.h installed "
                               + "with this wfhost, `pkg-config --cflags wfhost-plugin`)")
        case "crashed":
            return Finding(.error, kind, path: path,
                           "the plugin crashed while loading (\(message))\(stderrNote)",
                           hint: "a constructor in the shared object (or in a library it links) or its "
                               + "wfhost_plugin_descriptor() faulted; `wfhost plugins "
                               + "debug \(path) --gdb` loads it under gdb and prints the backtrace")
        case "timeout":
            return Finding(.error, kind, path: path, "loading did not finish: \(message)\(stderrNote)",
                           hint: "constructors and wfhost_plugin_descriptor() must return promptly; remove "
                               + "blocking work from them (or raise --scan-timeout if the plugin is merely slow)")
        case "exited":
            return Finding(.error, kind, path: path, "the plugin ended the scanner while loading (\(message))"
                               + stderrNote,
                           hint: "a constructor in the shared object called exit() or _exit(); plugins must not "
                               + "end the process")
        case "replaced":
            return Finding(.error, kind, path: path, "the file changed while it was being loaded: \(message)",
                           hint: "another program replaced or rewrote the plugin file after wfhost hashed it; wait "
                               + "until it is fully written (install with `mv` from a temporary name), then run "
                               + "`wfhost plugins scan`")
        case "untrusted":
            return Finding(.error, kind, path: path, "refused: \(message)", hint: PluginTrust.hint(path: path))
        case "unreadable":
            let hint = message.contains("No such file") ? "check the path; `wfhost plugins list` shows the plugin path"
                : message.contains("not a regular file") ? "give a plugin file (*.so), or a directory to check all of its *.so files"
                : "check the file's permissions"
            return Finding(.error, kind, path: path, "cannot read the file: \(message)", hint: hint)
        default:
            return Finding(.error, kind, path: path, "the scanner failed: \(message)\(stderrNote)",
                           hint: "this is likely a wfhost bug; please report it with the plugin attached")
        }
    }

    static func lastLines(_ text: String, count: Int = 3) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).suffix(count)
        return lines.joined(separator: " | ")
    }
}
