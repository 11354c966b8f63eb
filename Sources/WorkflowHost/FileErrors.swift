import Foundation

/// What went wrong with a file operation, in the system's words (`Not a directory`, `Read-only file system`, ...)
/// instead of Foundation's generic "The operation could not be completed".
enum FileErrorText {
    static func describe(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return String(cString: strerror(ENOENT))
            case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return String(cString: strerror(EACCES))
            case NSFileWriteOutOfSpaceError: return String(cString: strerror(ENOSPC))
            case NSFileWriteVolumeReadOnlyError: return String(cString: strerror(EROFS))
            case NSFileWriteFileExistsError: return String(cString: strerror(EEXIST))
            default: break
            }
        }
        return ns.localizedDescription
    }
}

/// `mkdir -p` with the system's own reasons for failing.
enum Directories {
    /// Creates `path` and its missing parents (mode 0755).
    /// - Returns: nil on success, else what failed: the component and the system's reason.
    static func create(_ path: String) -> String? {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            current += "/" + component
            if mkdir(current, 0o755) == 0 { continue }
            let err = errno
            var st = stat()
            if err == EEXIST, stat(current, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { continue }
            let reason = err == EEXIST ? String(cString: strerror(ENOTDIR)) : String(cString: strerror(err))
            return current == path ? reason : "\(reason) (at \(current))"
        }
        return nil
    }
}
