#if canImport(Glibc)
import Glibc
#endif

/// Finds the `wfhost-worker` executable and builds the environment workers start with.
public enum WorkerLocator {
    /// The directory holding the running executable (from `/proc/self/exe`), or nil when unreadable.
    public static func executableDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return String(path[..<slash])
    }

    /// `$WFHOST_WORKER`, else `wfhost-worker` beside the executable (a build folder), else
    /// `../libexec/wfhost/wfhost-worker` relative to it (the install tree).
    /// - Throws: `IsolationError.workerNotFound` listing the places looked at.
    public static func workerPath(environment: [String: String]) throws(IsolationError) -> String {
        var candidates: [String] = []
        if let explicit = environment["WFHOST_WORKER"], !explicit.isEmpty { candidates.append(explicit) }
        if let dir = executableDirectory() {
            candidates.append(dir + "/wfhost-worker")
            candidates.append(dir + "/../libexec/wfhost/wfhost-worker")
        }
        for path in candidates where access(path, X_OK) == 0 { return path }
        throw .workerNotFound(searched: candidates)
    }

    /// The environment of a scanning worker: the same scrubbed environment as a call's (PATH, the locale, the
    /// Swift backtracer off, the host's pid), so that `plugins validate` and a call load a plugin alike.
    public static func workerEnvironment(_ base: [String: String]) -> [String] {
        Worker.scrubbedEnvironment(base: base, workDirectory: nil)
    }
}

/// Errors of the isolation layer that are about the environment rather than a plugin.
public enum IsolationError: Error, CustomStringConvertible, Sendable {
    case workerNotFound(searched: [String])
    case system(SystemError)

    public var description: String {
        switch self {
        case .workerNotFound(let searched):
            return "cannot find the wfhost-worker executable (looked at: \(searched.joined(separator: ", ")))\n"
                + "  hint: reinstall wfhost with `make`, or set WFHOST_WORKER to the worker's path"
        case .system(let error):
            return error.description
        }
    }
}
