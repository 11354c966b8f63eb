#if canImport(Glibc)
import Glibc
#endif

/// The device and inode of a file, from stat(2): what tells "the same file" from "a file at the same path".
public struct FileIdentity: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64

    /// The identity of the file at `path` now, or nil when there is none (stat(2) fails, as for ENOENT).
    public static func of(path: String) -> FileIdentity? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }
}

extension SQLiteDatabase {
    /// What `PRAGMA quick_check` finds wrong with the file: empty when it reports `ok`. It reads every page of
    /// every table and index (without checking that indexes match their tables), so its cost grows with the file.
    /// - Throws: `SQLiteError` when the check cannot run at all (SQLite then usually says the file is malformed).
    public func quickCheck() throws(SQLiteError) -> [String] {
        let rows = try query("PRAGMA quick_check")
        let lines = rows.compactMap { $0[0].string }
        return lines == ["ok"] ? [] : lines
    }
}
