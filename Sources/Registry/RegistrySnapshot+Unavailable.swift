import Isolation

/// Where a tool name went when no usable plugin offers it: a plugin that declares it but is invalid, or a plugin
/// that could not be read (failed, incompatible) and may offer it.
extension RegistrySnapshot {
    /// A plugin that is not ok and declares (or, unread, may declare) a tool.
    public struct UnavailableTool: Sendable {
        public var tool: String
        public var plugin: String
        public var path: String
        public var status: PluginStatus
        public var reason: String
        /// The plugin's descriptor names the tool (an invalid plugin); false when the plugin could not be read
        /// and only its file name matches a qualified name.
        public var declared: Bool
        /// The file was refused unloaded under --require-trusted.
        public var untrusted: Bool = false

        /// "tool 'x' is in plugin p (path), which is invalid: reason".
        public var message: String {
            "tool '\(tool)' is \(declared ? "in" : "perhaps in") plugin \(plugin) (\(path)), which is "
                + "\(status.rawValue): \(reason)"
        }

        public var hint: String {
            if untrusted { return PluginTrust.hint(path: path) }
            switch status {
            case .invalid:
                return "`wfhost plugins validate \(path)` lists every finding; fix them and rebuild the plugin"
            case .incompatible:
                return "rebuild the plugin against this wfhost's SDK; `wfhost plugins validate \(path)` says which"
            case .failed, .ok:
                return "fix the cause, then run `wfhost plugins scan --force` to load it again"
            }
        }
    }

    /// The non-ok plugins that hold `name` (bare, or `plugin.tool`). Invalid plugins are matched by their
    /// declared tools; failed and incompatible ones, which were never read, by file name for a qualified name.
    public func unavailable(_ name: String) -> [UnavailableTool] {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        let (wantedPlugin, wantedTool) = parts.count == 2 ? (Optional(parts[0]), parts[1]) : (nil, name)
        var found: [UnavailableTool] = []
        for r in records where r.status != .ok {
            let reason = r.reason ?? r.status.rawValue
            if let d = r.descriptor {
                let plugin = d.name ?? Self.fileStem(r.path)
                guard wantedPlugin == nil || wantedPlugin == plugin,
                      d.tools.contains(where: { $0.name == wantedTool }) else { continue }
                found.append(UnavailableTool(tool: name, plugin: plugin, path: r.path, status: r.status,
                                             reason: reason, declared: true))
            } else if wantedPlugin == nil || Self.fileStem(r.path) == wantedPlugin,
                      wantedPlugin != nil || r.failure?.kind == "untrusted" {
                // A bare name may be in any file refused unread under --require-trusted.
                found.append(UnavailableTool(tool: name, plugin: wantedPlugin ?? Self.fileStem(r.path), path: r.path,
                                             status: r.status, reason: reason, declared: false,
                                             untrusted: r.failure?.kind == "untrusted"))
            }
        }
        return found
    }

    /// The records a name (plugin name, or file name without `.so` and `lib`) designates.
    public func plugins(named name: String) -> [PluginRecord] {
        records.filter { ($0.descriptor?.name ?? Self.fileStem($0.path)) == name || Self.fileStem($0.path) == name }
    }

    /// `/x/libcore.so` → `core`.
    static func fileStem(_ path: String) -> String {
        var base = Substring(path.split(separator: "/").last ?? Substring(path))
        if base.hasSuffix(".so") { base = base.dropLast(3) }
        if base.hasPrefix("lib"), base.count > 3 { base = base.dropFirst(3) }
        return String(base)
    }
}
