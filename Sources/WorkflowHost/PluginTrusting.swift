import Foundation
import Isolation
import Registry

extension HostConfiguration {
    /// The trust file: `WFHOST_TRUST_FILE`, else `trusted-plugins.lock` in the state directory. The state
    /// directory is the default because every sandbox (scans and calls) hides it, so no tool can add a hash to it,
    /// and it is per user and per CI job (`WFHOST_STATE_DIR`); a file committed beside a workflow is named with
    /// `WFHOST_TRUST_FILE`, and is then hidden from tools too.
    public var trustFile: String {
        if let file = environment["WFHOST_TRUST_FILE"], !file.isEmpty { return file }
        return stateDirectory + "/trusted-plugins.lock"
    }

    /// Paths every sandbox masks: the state directory, and the trust file when it lies elsewhere.
    var maskedPaths: [String] {
        let file = trustFile
        return file.hasPrefix(stateDirectory + "/") ? [stateDirectory] : [stateDirectory, file]
    }
}

/// One file `wfhost plugins trust` recorded.
public struct TrustedPlugin: Sendable {
    /// The file's real path (symbolic links resolved), as the trust file records it.
    public var path: String
    /// The SHA-256 of the file's bytes, 64 lowercase hexadecimal digits.
    public var sha256: String
}

extension WorkflowHost {
    /// The trusted files when `requireTrusted` is set, else nil (any file may be loaded).
    /// - Throws: `WorkflowHostError` (a host code: `stateUnavailable`, `registryUnavailable`, ...) when the trust file cannot be read or holds a malformed line.
    func trust() throws(WorkflowHostError) -> PluginTrust? {
        guard configuration.requireTrusted else { return nil }
        do {
            return try PluginTrust.load(file: configuration.trustFile)
        } catch {
            throw WorkflowHostError(.environment, error.message, hint: error.hint)
        }
    }

    /// Records the SHA-256 of each plugin file (or of each `*.so` in a directory) in the trust file, by its real
    /// path. Hashing reads the file; nothing is loaded.
    ///
    /// ```swift
    /// for plugin in try host.trustPlugins(paths: ["build/plugins"]) { print(plugin.sha256, plugin.path) }
    /// ```
    /// - Parameter paths: plugin files, or directories whose `*.so` files are all trusted.
    /// - Returns: the files trusted, in the order given.
    /// - Throws: `WorkflowHostError` (`invalidRequest`) for a path that is not a readable file or holds no plugin files (nothing is
    ///   written then); `WorkflowHostError` (`environment`) when the trust file cannot be read or written.
    public func trustPlugins(paths: [String]) throws(WorkflowHostError) -> [TrustedPlugin] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw WorkflowHostError(.invalidRequest, "cannot trust \(path): no such file or directory",
                                     hint: "give plugin files (*.so) or directories that hold them")
            }
            if isDirectory.boolValue {
                let found = PluginSearchPath(directories: [path]).pluginFiles()
                guard !found.isEmpty else {
                    throw WorkflowHostError(.invalidRequest, "cannot trust \(path): the directory holds no plugin files (*.so)",
                                         hint: "give plugin files (*.so) or directories that hold them")
                }
                files += found
            } else {
                files.append(path)
            }
        }
        var trusted: [TrustedPlugin] = []
        for file in files {
            let real = URL(fileURLWithPath: file).resolvingSymlinksInPath().path
            let fd = open(real, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw WorkflowHostError(.invalidRequest, "cannot trust \(file): \(String(cString: strerror(errno)))",
                                     hint: "check the file's permissions")
            }
            defer { close(fd) }
            guard let sha = PluginTrust.sha256(fd: fd) else {
                throw WorkflowHostError(.invalidRequest, "cannot trust \(file): it cannot be read (\(String(cString: strerror(errno))))",
                                     hint: "give a regular plugin file (*.so)")
            }
            trusted.append(TrustedPlugin(path: real, sha256: sha))
        }
        var trust: PluginTrust
        do {
            trust = try PluginTrust.load(file: configuration.trustFile)
            for t in trusted { trust.add(sha256: t.sha256, path: t.path) }
            try trust.save()
        } catch {
            throw WorkflowHostError(.environment, error.message, hint: error.hint)
        }
        return trusted
    }
}
