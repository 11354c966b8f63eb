import Schema

/// Where a plugin file stands.
public enum PluginStatus: String, Sendable, Hashable, CaseIterable {
    /// Loaded and valid: its tools are offered.
    case ok
    /// Loaded, but its descriptor has errors (bad names, schemas, ...): its tools are not offered.
    case invalid
    /// Built for another plugin ABI major.
    case incompatible
    /// Could not be loaded: not a plugin, a missing library, a crash or hang while loading.
    case failed
}

/// One plugin file as the registry knows it.
public struct PluginRecord: Sendable {
    public var path: String
    public var sha256: String
    public var size: Int64
    public var status: PluginStatus
    public var descriptor: PluginDescriptor?
    public var failure: ScanFailure?
    /// Everything wrong or noteworthy about the file (errors and warnings).
    public var findings: [Finding]
    /// The tools offered (empty unless `status == .ok`).
    public var tools: [RegisteredTool]
    /// This refresh scanned the file (it was new, changed, or a rescan was forced).
    public var rescanned: Bool

    /// Builds a record from a scan result: validates a loaded descriptor (or reuses `cachedValidation`, the
    /// validation of the same bytes by this same wfhost), or explains a failure.
    static func make(path: String, sha256: String, size: Int64, result: ScanResult, rescanned: Bool,
                     hostABI: String, cachedValidation: String? = nil) -> PluginRecord {
        switch result {
        case .failed(let failure):
            return PluginRecord(path: path, sha256: sha256, size: size,
                                status: failure.isIncompatible ? .incompatible : .failed, descriptor: nil,
                                failure: failure, findings: [failure.finding(path: path, hostABI: hostABI)], tools: [],
                                rescanned: rescanned)
        case .loaded(let text):
            guard let json = try? JSONValue.parse(text), let descriptor = PluginDescriptor(report: json) else {
                let failure = ScanFailure(kind: "protocol", message: "the scanner's report is incomplete")
                return PluginRecord(path: path, sha256: sha256, size: size, status: .failed, descriptor: nil,
                                    failure: failure, findings: [failure.finding(path: path, hostABI: hostABI)],
                                    tools: [], rescanned: rescanned)
            }
            if let cached = cachedValidation.flatMap(CachedValidation.init(text:)) {
                return PluginRecord(path: path, sha256: sha256, size: size, status: cached.status, descriptor: descriptor,
                                    failure: nil, findings: cached.findings,
                                    tools: cached.status == .ok ? PluginValidator.cachedTools(descriptor, path: path) : [],
                                    rescanned: rescanned)
            }
            let (findings, tools) = PluginValidator.validate(descriptor, path: path)
            let hasError = findings.contains { $0.severity == .error }
            return PluginRecord(path: path, sha256: sha256, size: size, status: hasError ? .invalid : .ok,
                                descriptor: descriptor, failure: nil, findings: findings, tools: tools,
                                rescanned: rescanned)
        }
    }

    /// A one-line reason for a plugin that is not ok.
    public var reason: String? {
        guard status != .ok else { return nil }
        return findings.first { $0.severity == .error }?.message
    }
}

/// A file's own validation outcome as the registry cache keeps it (cross-file findings are not part of it).
struct CachedValidation {
    var status: PluginStatus
    var findings: [Finding]

    init(status: PluginStatus, findings: [Finding]) {
        self.status = status
        self.findings = findings
    }

    init?(text: String) {
        guard let json = try? JSONValue.parse(text), // written by `text` below; unreadable means validate again
              let status = json["status"]?.stringValue.flatMap(PluginStatus.init(rawValue:)),
              let items = json["findings"]?.arrayValue else { return nil }
        var findings: [Finding] = []
        for f in items {
            guard let severity = f["severity"]?.stringValue.flatMap(Finding.Severity.init(rawValue:)),
                  let code = f["code"]?.stringValue, let message = f["message"]?.stringValue else { return nil }
            findings.append(Finding(severity, code, path: f["path"]?.stringValue ?? "", tool: f["tool"]?.stringValue,
                                    message, hint: f["hint"]?.stringValue))
        }
        self.init(status: status, findings: findings)
    }

    var text: String {
        JSONValue.object([
            "status": .string(status.rawValue),
            "findings": .array(findings.map { f in
                .object(["severity": .string(f.severity.rawValue), "code": .string(f.code), "path": .string(f.path),
                         "tool": f.tool.map(JSONValue.string) ?? .null, "message": .string(f.message),
                         "hint": f.hint.map(JSONValue.string) ?? .null])
            }),
        ]).serialized()
    }
}

extension PluginRecord {
    /// This record's own validation, for the cache (nil for files that did not load).
    var cachedValidation: String? {
        guard descriptor != nil, failure == nil else { return nil }
        return CachedValidation(status: status, findings: findings).text
    }
}
