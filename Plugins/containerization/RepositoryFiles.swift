import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Reading a repository's files: bounded, skipping vendored and VCS directories.
enum RepositoryFiles {
    /// Directories never descended into.
    static let skippedDirectories: Set<String> = [".git", "node_modules", "vendor", "target", "bin", "obj", ".build",
                                                  "__pycache__", ".venv", "venv", "dist", "build"]
    /// Files larger than this are not read.
    static let maxFileSize = 1 << 20

    static func exists(_ path: String) -> Bool { var st = stat(); return stat(path, &st) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func isFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// The text of a file, or nil when it is missing, too large, not UTF-8 or binary.
    static func text(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) <= maxFileSize,
              let data = FileManager.default.contents(atPath: path) else { return nil }
        if data.prefix(8192).contains(0) { return nil }
        return String(data: data, encoding: .utf8)
    }

    /// Relative paths of the regular files under `root`, sorted, without skipped directories; at most `limit`.
    static func list(_ root: String, skipping: Set<String> = skippedDirectories, limit: Int = 20000) -> [String] {
        var result: [String] = []
        var stack = [""]
        while let rel = stack.popLast(), result.count < limit {
            let dir = rel.isEmpty ? root : "\(root)/\(rel)"
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }  // unreadable: skipped
            for name in names.sorted() {
                let child = rel.isEmpty ? name : "\(rel)/\(name)"
                var st = stat()
                guard lstat("\(root)/\(child)", &st) == 0 else { continue }
                switch st.st_mode & S_IFMT {
                case S_IFDIR: if !skipping.contains(name) { stack.append(child) }
                case S_IFREG: result.append(child)
                default: break
                }
            }
        }
        return result.sorted()
    }

    /// True when `path` (relative) or its last component matches the shell glob `pattern` (`fnmatch`).
    static func matches(_ path: String, _ pattern: String) -> Bool {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        if fnmatch(pattern, path, 0) == 0 || fnmatch(pattern, base, 0) == 0 { return true }
        // A pattern naming a directory ("docs", "docs/") excludes everything beneath it.
        let dir = pattern.hasSuffix("/") ? String(pattern.dropLast()) : pattern
        return path.split(separator: "/").dropLast().contains { fnmatch(dir, String($0), 0) == 0 }
    }

    /// Resolves a user-given path (`file://` allowed) to an absolute one.
    static func absolute(_ path: String) -> String {
        var p = path
        if p.hasPrefix("file://") { p = String(p.dropFirst("file://".count)) }
        if !p.hasPrefix("/") { p = FileManager.default.currentDirectoryPath + "/" + p }
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p
    }
}
