/// An MCP server whose tools a workflow calls as `SERVER.tool` (`spec.tool_servers`, or the user-level
/// `servers.yaml`). Only stdio servers: wfhost starts `command` with `args` and speaks MCP over its stdin/stdout.
public struct ToolServer: Sendable, Hashable {
    /// The server's name, `[a-z][a-z0-9_]*` like a plugin's: the part before the dot in `SERVER.tool`.
    public var name: String
    public var command: String
    public var args: [String]
    /// Environment variables for the server, in file order. A value may hold references, `${secret:NAME}` (a
    /// secret given to the run with `--secret`) and `${env:NAME}` (a variable of wfhost's own environment);
    /// nothing else in it is secret.
    public var env: [EnvEntry]
    public var capabilities: ToolServerCapabilities
    /// How long starting the server and listing its tools may take.
    public var startupTimeout: Duration
    /// The server's name in the file.
    public var location: SourceLocation

    public struct EnvEntry: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The longest a server may take to start, by default.
    public static let defaultStartupTimeout: Duration = .seconds(20)

    public init(name: String, command: String, args: [String] = [], env: [EnvEntry] = [],
                capabilities: ToolServerCapabilities = ToolServerCapabilities(),
                startupTimeout: Duration = ToolServer.defaultStartupTimeout, location: SourceLocation) {
        self.name = name
        self.command = command
        self.args = args
        self.env = env
        self.capabilities = capabilities
        self.startupTimeout = startupTimeout
        self.location = location
    }
}

/// What a tool server may touch, as a plugin tool declares it: the network, paths to read and to write.
public struct ToolServerCapabilities: Sendable, Hashable {
    public var network: Bool
    public var readPaths: [String]
    public var writePaths: [String]
    public init(network: Bool = false, readPaths: [String] = [], writePaths: [String] = []) {
        self.network = network
        self.readPaths = readPaths
        self.writePaths = writePaths
    }
}

/// A reference inside a tool server's environment value: `${secret:NAME}` or `${env:NAME}`.
public enum EnvReference: Sendable, Hashable {
    case secret(String)
    case environment(String)

    /// The parts of `value`: literal text and references, in order; nil when a `${` does not start a valid
    /// reference (the decoder reports it).
    public static func parse(_ value: String) -> [Part]? {
        var parts: [Part] = []
        var rest = Substring(value)
        func openingBrace(in text: Substring) -> (start: Substring.Index, inner: Substring.Index)? {
            var i = text.startIndex
            while i < text.endIndex {
                let next = text.index(after: i)
                if text[i] == "$", next < text.endIndex, text[next] == "{" { return (i, text.index(after: next)) }
                i = next
            }
            return nil
        }
        while let open = openingBrace(in: rest) {
            if open.start > rest.startIndex { parts.append(.text(String(rest[..<open.start]))) }
            guard let close = rest[open.inner...].firstIndex(of: "}") else { return nil }
            let inner = rest[open.inner..<close]
            let pieces = inner.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard pieces.count == 2, isEnvironmentName(pieces[1]) else { return nil }
            switch pieces[0] {
            case "secret": parts.append(.reference(.secret(String(pieces[1]))))
            case "env": parts.append(.reference(.environment(String(pieces[1]))))
            default: return nil
            }
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        return parts
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`: an environment variable's (and a secret's) name.
    public static func isEnvironmentName(_ name: some StringProtocol) -> Bool {
        guard let first = name.utf8.first, first == 0x5F || (first | 0x20 >= 0x61 && first | 0x20 <= 0x7A) else { return false }
        return name.utf8.allSatisfy { $0 == 0x5F || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }
    }

    public enum Part: Sendable, Hashable {
        case text(String)
        case reference(EnvReference)
    }
}

/// The user-level tool servers (`$XDG_CONFIG_HOME/wfhost/servers.yaml`, else `~/.config/wfhost/servers.yaml`),
/// shared by every workflow: the same entries as `spec.tool_servers`, under a top-level `tool_servers:`.
public struct ToolServersFile: Sendable {
    public var file: String
    public var servers: [ToolServer]
    public var diagnostics: [Diagnostic]
    public var isValid: Bool { !diagnostics.containsErrors }

    /// The file's path for an environment: `$XDG_CONFIG_HOME/wfhost/servers.yaml` when that variable is set and
    /// absolute, else `$HOME/.config/wfhost/servers.yaml`; nil without either.
    public static func path(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return xdg + "/wfhost/servers.yaml" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/wfhost/servers.yaml" }
        return nil
    }

    /// Reads and checks a servers file; every problem is a diagnostic at its place.
    public static func load(path: String) -> ToolServersFile {
        let result = YAMLLoader.load(path: path)
        return decode(result, file: path)
    }

    public static func load(text: String, file: String) -> ToolServersFile {
        decode(YAMLLoader.load(text: text, file: file), file: file)
    }

    static func decode(_ result: YAMLLoadResult, file: String) -> ToolServersFile {
        guard let document = result.document else {
            return ToolServersFile(file: file, servers: [], diagnostics: result.diagnostics)
        }
        var decoder = WorkflowDecoder(document: document)
        let servers = decoder.decodeServersFile()
        return ToolServersFile(file: file, servers: servers,
                               diagnostics: (result.diagnostics + decoder.diagnostics).sortedByLocation())
    }
}
