import Foundation
import Isolation

/// The ordered list of directories whose `*.so` files are plugins (ARCHITECTURE.md, "Plugin path").
public struct PluginSearchPath: Sendable, Hashable {
    public var directories: [String]

    public init(directories: [String]) { self.directories = directories }

    /// `--plugin-path` or `WFHOST_PLUGIN_PATH` (colon-separated) first, then the install tree's own
    /// `lib/wfhost/plugins` (relative to the executable), then `~/.local/lib/wfhost/plugins`,
    /// `/usr/local/lib/wfhost/plugins` and `/usr/lib/wfhost/plugins`.
    public static func standard(explicit: String?, environment: [String: String]) -> PluginSearchPath {
        var dirs: [String] = []
        if let explicit = explicit ?? environment["WFHOST_PLUGIN_PATH"] {
            dirs += explicit.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        if let exe = WorkerLocator.executableDirectory() {
            dirs.append(standardize(exe + "/../lib/wfhost/plugins"))
        }
        if let home = environment["HOME"], !home.isEmpty { dirs.append(home + "/.local/lib/wfhost/plugins") }
        dirs += ["/usr/local/lib/wfhost/plugins", "/usr/lib/wfhost/plugins"]
        var seen = Set<String>()
        return PluginSearchPath(directories: dirs.filter { seen.insert(standardize($0)).inserted })
    }

    /// The plugin files in path order: each directory's `*.so` files sorted by name; a file reachable twice
    /// (symlinks, a directory listed twice) is listed once.
    public func pluginFiles() -> [String] {
        var files: [String] = []
        var seen = Set<String>()
        let fm = FileManager.default
        for dir in directories {
            guard let names = try? fm.contentsOfDirectory(atPath: dir) else { continue } // a missing dir is normal
            for name in names.sorted() where name.hasSuffix(".so") {
                let path = PluginSearchPath.standardize(dir + "/" + name)
                let real = (try? fm.destinationOfSymbolicLink(atPath: path)).map {
                    PluginSearchPath.standardize($0.hasPrefix("/") ? $0 : dir + "/" + $0)
                } ?? path
                if seen.insert(real).inserted { files.append(path) }
            }
        }
        return files
    }

    static func standardize(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: absolute).standardizedFileURL.path
    }
}
