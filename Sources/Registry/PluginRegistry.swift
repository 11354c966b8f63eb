import Foundation
import Isolation
import SQLite

/// Discovers plugin files on the search path, scans new and changed ones in child processes, validates them,
/// and remembers the results in the state database so that unchanged files are never rescanned.
public final class PluginRegistry: Sendable {
    public let searchPath: PluginSearchPath
    public let scanner: PluginScanner
    private let cache: RegistryCache?
    private let hostABI: String
    /// With `--require-trusted`: the trusted files. Any other file is refused before it is loaded (status
    /// failed, code `untrusted`), and nothing about it is cached, so trusting it later takes effect at once.
    public let trust: PluginTrust?

    /// - Parameters:
    ///   - database: the state database; nil for a registry that keeps nothing (`plugins validate`).
    ///   - hostABI: "major.minor" of the plugin ABI this host loads.
    ///   - hostVersion: the host's version; with the ABI, part of every cache key.
    ///   - trust: the trusted files when only those may be loaded; nil to load any file.
    public init(searchPath: PluginSearchPath, scanner: PluginScanner, database: SQLiteDatabase?, hostABI: String,
                hostVersion: String, trust: PluginTrust? = nil) throws {
        self.searchPath = searchPath
        self.scanner = scanner
        self.hostABI = hostABI
        self.trust = trust
        self.cache = try database.map { try RegistryCache(db: $0, hostKey: "abi \(hostABI); wfhost \(hostVersion)") }
    }

    /// Brings the registry up to date with the files on the search path.
    /// - Parameter force: rescan every file even when unchanged.
    /// - Returns: every plugin file in path order, with cross-plugin findings (ambiguous tool names, duplicate
    ///   plugin names) applied.
    public func refresh(force: Bool = false) throws -> RegistrySnapshot {
        let files = searchPath.pluginFiles()
        let cached = try cache?.loadAll() ?? [:]
        var records = [PluginRecord?](repeating: nil, count: files.count)
        var toScan: [(index: Int, file: PluginFile, sha: String)] = []
        var changed: [(path: String, row: RegistryCache.Row, status: PluginStatus)] = []

        for (i, path) in files.enumerated() {
            let file: PluginFile
            do {
                file = try PluginFile(path: path)
            } catch {
                records[i] = PluginRecord.make(path: path, sha256: "", size: 0, result: .failed(error),
                                               rescanned: true, hostABI: hostABI)
                continue
            }
            var old = cached[path]
            // A failure that may come from outside the file (a library installed since, a machine that was
            // busy) is rechecked on every refresh, unchanged file or not.
            if case .failed(let f)? = old?.result, f.mayComeFromOutside { old = nil }
            // Fast path: same device, inode, size and nanosecond mtime means the same bytes.
            if !force, let old, old.identity == file.identity {
                if let refused = refusal(path: path, sha256: old.sha256, size: file.identity.size) {
                    records[i] = refused
                    continue
                }
                let record = PluginRecord.make(path: path, sha256: old.sha256, size: file.identity.size,
                                               result: old.result, rescanned: false, hostABI: hostABI,
                                               cachedValidation: old.validation)
                records[i] = record
                if old.validation == nil, let validation = record.cachedValidation {
                    changed.append((path, RegistryCache.Row(identity: old.identity, sha256: old.sha256, result: old.result,
                                                            validation: validation), record.status))
                }
                continue
            }
            let sha: String
            do {
                sha = try file.sha256()
            } catch {
                records[i] = PluginRecord.make(path: path, sha256: "", size: file.identity.size, result: .failed(error),
                                               rescanned: true, hostABI: hostABI)
                continue
            }
            if let refused = refusal(path: path, sha256: sha, size: file.identity.size) {
                records[i] = refused
                continue
            }
            if !force, let old, old.sha256 == sha {
                // Touched but not changed: remember the new identity, keep the result.
                let record = PluginRecord.make(path: path, sha256: sha, size: file.identity.size, result: old.result,
                                               rescanned: false, hostABI: hostABI, cachedValidation: old.validation)
                records[i] = record
                changed.append((path, RegistryCache.Row(identity: file.identity, sha256: sha, result: old.result,
                                                        validation: record.cachedValidation), record.status))
                continue
            }
            toScan.append((i, file, sha))
        }

        let results = scanAll(toScan.map { ($0.file) })
        // A worker that cannot start fails every scan alike: that is the environment's fault, not the plugins'
        // (nothing is cached, and the caller reports it as such).
        for case .failed(let f) in results where f.kind == ScanFailure.workerUnusable {
            throw WorkerUnusable(workerPath: scanner.workerPath, loaderMessage: f.message)
        }
        for (job, result) in zip(toScan, results) {
            let record = PluginRecord.make(path: job.file.path, sha256: job.sha, size: job.file.identity.size,
                                           result: result, rescanned: true, hostABI: hostABI)
            records[job.index] = record
            changed.append((job.file.path, RegistryCache.Row(identity: job.file.identity, sha256: job.sha,
                                                             result: result, validation: record.cachedValidation),
                            record.status))
        }
        let present = Set(files)
        try cache?.save(changed, removing: cached.keys.filter { !present.contains($0) })
        return RegistrySnapshot(records: records.compactMap { $0 })
    }

    /// Scans the given files (or every `*.so` in given directories) without the cache: what
    /// `wfhost plugins validate` reports. Cross-file findings apply among the given files.
    public func validate(paths: [String]) -> RegistrySnapshot {
        var files: [String] = []
        for path in paths {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                files += PluginSearchPath(directories: [path]).pluginFiles()
            } else {
                files.append(path)
            }
        }
        var records = [PluginRecord?](repeating: nil, count: files.count)
        var opened: [(Int, PluginFile)] = []
        for (i, path) in files.enumerated() {
            do {
                opened.append((i, try PluginFile(path: path)))
            } catch {
                records[i] = PluginRecord.make(path: path, sha256: "", size: 0, result: .failed(error),
                                               rescanned: true, hostABI: hostABI)
            }
        }
        if trust != nil {
            opened.removeAll { entry in
                let file = entry.1
                guard let refused = refusal(path: file.path, sha256: PluginTrust.sha256(fd: file.fd),
                                            size: file.identity.size) else { return false }
                records[entry.0] = refused
                return true
            }
        }
        let results = scanAll(opened.map(\.1))
        for ((i, file), result) in zip(opened, results) {
            records[i] = PluginRecord.make(path: file.path, sha256: "", size: file.identity.size, result: result,
                                           rescanned: true, hostABI: hostABI)
        }
        return RegistrySnapshot(records: records.compactMap { $0 })
    }

    /// The record of a file refused under `trust` (nil when it is trusted or trust is not required).
    private func refusal(path: String, sha256: String?, size: Int64) -> PluginRecord? {
        guard let trust, let why = trust.refusal(path: path, sha256: sha256) else { return nil }
        return PluginRecord.make(path: path, sha256: sha256 ?? "", size: size,
                                 result: .failed(ScanFailure(kind: "untrusted", message: why)), rescanned: false,
                                 hostABI: hostABI)
    }

    /// Scans files concurrently, one child each, as many at a time as there are cores.
    private func scanAll(_ files: [PluginFile]) -> [ScanResult] {
        guard !files.isEmpty else { return [] }
        let results = ResultSlots(count: files.count)
        let scanner = self.scanner
        let width = max(1, min(files.count, ProcessInfo.processInfo.activeProcessorCount * 2))
        DispatchQueue.concurrentPerform(iterations: width) { lane in
            var i = lane
            while i < files.count {
                results.set(i, scanner.scan(fd: files[i].fd, displayPath: files[i].path))
                i += width
            }
        }
        return results.values.map { $0 ?? .failed(ScanFailure(kind: "internal", message: "scan result missing")) }
    }
}

/// Slots written by concurrent scans, one per file.
private final class ResultSlots: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var slots: [ScanResult?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: ScanResult) { lock.withLock { slots[i] = value } }
    var values: [ScanResult?] { lock.withLock { slots } }
}

extension PluginFile: @unchecked Sendable {}
// @unchecked: a PluginFile is immutable after init; its fd is only read (pread) and passed to children.
