import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a requested report file (`--junit`): missing parent directories are created, the file appears whole or
/// not at all (a temporary file beside it is renamed), and a failure says why in the system's words.
enum ReportFile {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func write(_ text: String, to path: String) throws(Failure) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try makeDirectories(directory) }
        if isDirectory(path) { throw Failure(description: "'\(path)' is a directory") }
        let temporary = path + ".wfhost-\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(description: "cannot create '\(temporary)': \(reason(errno))") }
        if let error = writeAll(fd, text) {
            close(fd)
            unlink(temporary)
            throw Failure(description: "cannot write '\(temporary)': \(reason(error))")
        }
        if close(fd) != 0 {
            let error = errno
            unlink(temporary)
            throw Failure(description: "cannot write '\(temporary)': \(reason(error))")
        }
        if rename(temporary, path) != 0 {
            let error = errno
            unlink(temporary)
            throw Failure(description: "cannot rename '\(temporary)' to '\(path)': \(reason(error))")
        }
    }

    /// Appends `text` to `path` (`GITHUB_STEP_SUMMARY`), creating the file when missing. `O_APPEND` needs no seek,
    /// so a pipe or FIFO works as well as a file.
    static func append(_ text: String, to path: String) throws(Failure) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(description: "cannot open '\(path)': \(reason(errno))") }
        if let error = writeAll(fd, text) {
            close(fd)
            throw Failure(description: "cannot write '\(path)': \(reason(error))")
        }
        if close(fd) != 0 { throw Failure(description: "cannot write '\(path)': \(reason(errno))") }
    }

    /// Writes all of `text` to `fd`, retrying short writes and EINTR; the errno of a failure, or nil.
    private static func writeAll(_ fd: CInt, _ text: String) -> CInt? {
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.write(fd, base + done, buffer.count - done)
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return n < 0 ? errno : EIO }
            done += n
        }
        return nil
    }

    /// `mkdir -p`: each missing directory of `path`, in order.
    static func makeDirectories(_ path: String) throws(Failure) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            if mkdir(prefix, 0o755) == 0 { continue }
            let error = errno
            if error == EEXIST || error == EISDIR || error == EACCES && access(prefix, F_OK) == 0 {
                guard isDirectory(prefix) else { throw Failure(description: "'\(displayed(prefix))' is not a directory") }
                continue
            }
            throw Failure(description: "cannot create the directory '\(displayed(prefix))': \(reason(error))")
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// A relative prefix without the leading "./" this type adds.
    private static func displayed(_ prefix: String) -> String {
        prefix.hasPrefix("./") ? String(prefix.dropFirst(2)) : prefix
    }

    private static func reason(_ error: Int32) -> String { String(cString: strerror(error)) }
}
