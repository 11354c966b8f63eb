#if canImport(Glibc)
import Glibc
#endif
import CSha256
import CSupport

/// A plugin file opened once: its identity, and (on demand) the SHA-256 of the bytes the scanner will load.
/// The scanner child receives this very descriptor, so a file replaced after hashing cannot slip through.
final class PluginFile {
    let path: String
    let fd: CInt
    let identity: FileIdentity

    struct FileIdentity: Sendable, Hashable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var mtimeNanos: Int64
    }

    /// Opens `path` read-only.
    /// - Throws: `ScanFailure` of kind `unreadable` when it cannot be opened or is not a regular file.
    init(path: String) throws(ScanFailure) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ScanFailure(kind: "unreadable", message: String(cString: strerror(errno)))
        }
        var dev: UInt64 = 0, ino: UInt64 = 0
        var size: Int64 = 0, mtime: Int64 = 0
        var regular: CInt = 0
        let rc = wfh_fstat_identity(fd, &dev, &ino, &size, &mtime, &regular)
        guard rc == 0, regular != 0 else {
            close(fd)
            throw ScanFailure(kind: "unreadable", message: rc != 0 ? String(cString: strerror(-rc)) : "not a regular file")
        }
        self.fd = fd
        self.identity = FileIdentity(device: dev, inode: ino, size: size, mtimeNanos: mtime)
    }

    deinit { close(fd) }

    /// SHA-256 of the whole file in lowercase hex.
    func sha256() throws(ScanFailure) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        guard wfh_sha256_fd(fd, &digest) == 0 else {
            throw ScanFailure(kind: "unreadable", message: String(cString: strerror(errno)))
        }
        return digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
