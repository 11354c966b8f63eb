import CSha256
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The plugin files a user has trusted (`wfhost plugins trust`), by SHA-256: with `--require-trusted` or
/// `WFHOST_REQUIRE_TRUSTED=1` wfhost loads no other file, neither to scan it nor to call it.
///
/// The trust file is `sha256sum` output (`HEX  PATH` per line, `#` comments), so `sha256sum -c FILE` checks it
/// too. A file is trusted by its bytes: the path on its line is for people; a copy elsewhere is just as trusted,
/// and a rebuilt file is not until it is trusted again.
public struct PluginTrust: Sendable, Equatable {
    /// The trust file the hashes come from (named in refusals).
    public var file: String
    /// Lowercase hex SHA-256 to the path recorded with it.
    public private(set) var entries: [(sha256: String, path: String)]

    public static func == (a: PluginTrust, b: PluginTrust) -> Bool {
        a.file == b.file && a.entries.map(\.sha256) == b.entries.map(\.sha256) && a.entries.map(\.path) == b.entries.map(\.path)
    }

    public init(file: String, entries: [(sha256: String, path: String)] = []) {
        self.file = file
        self.entries = entries
    }

    /// Whether the bytes with this hash are trusted.
    public func trusts(sha256: String) -> Bool { entries.contains { $0.sha256 == sha256 } }

    /// Reads the trust file; a file that does not exist yet trusts nothing.
    /// - Throws: `PluginTrustError` when it cannot be read or a line is not `HEX  PATH`.
    public static func load(file: String) throws(PluginTrustError) -> PluginTrust {
        guard FileManager.default.fileExists(atPath: file) else { return PluginTrust(file: file) }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw PluginTrustError(message: "cannot read the trust file \(file): \(error.localizedDescription)",
                                   hint: "check its permissions, or name another file with WFHOST_TRUST_FILE")
        }
        var trust = PluginTrust(file: file)
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let hex = line.prefix { !$0.isWhitespace }
            let path = line.dropFirst(hex.count).trimmingCharacters(in: .whitespaces)
            // sha256sum marks binary mode with a '*' before the name.
            let name = path.hasPrefix("*") ? String(path.dropFirst()) : path
            guard hex.count == 64, hex.allSatisfy(\.isHexDigit), !name.isEmpty else {
                throw PluginTrustError(message: "\(file):\(number + 1): not a trust line: '\(line.prefix(80))'",
                                       hint: "each line is `SHA256  PATH` as `sha256sum` prints it (or a # comment); "
                                           + "`wfhost plugins trust PATH` writes them")
            }
            trust.entries.append((hex.lowercased(), name))
        }
        return trust
    }

    /// Records `sha256` for `path`, replacing what was recorded for the same path before.
    public mutating func add(sha256: String, path: String) {
        entries.removeAll { $0.path == path }
        entries.append((sha256, path))
    }

    /// Writes the trust file (through a temporary file renamed into place).
    /// - Throws: `PluginTrustError` naming the file when it cannot be written.
    public func save() throws(PluginTrustError) {
        var text = "# wfhost trusted plugins. `wfhost plugins trust PATH` adds a line; with --require-trusted or\n"
            + "# WFHOST_REQUIRE_TRUSTED=1 wfhost loads only plugin files whose SHA-256 is listed here.\n"
            + "# The lines are sha256sum's: `sha256sum -c` checks them.\n"
        for e in entries { text += "\(e.sha256)  \(e.path)\n" }
        let url = URL(fileURLWithPath: file)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw PluginTrustError(message: "cannot write the trust file \(file): \(error.localizedDescription)",
                                   hint: "check that its directory is writable, or name another file with WFHOST_TRUST_FILE")
        }
    }

    /// SHA-256 of the file open at `fd` in lowercase hex (read with pread: the offset is unchanged).
    public static func sha256(fd: CInt) -> String? {
        var digest = [UInt8](repeating: 0, count: 32)
        guard wfh_sha256_fd(fd, &digest) == 0 else { return nil }
        return digest.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    /// Why the file at `path` with hash `sha256` is refused (nil when it is trusted): the sentence after
    /// "refused:" in a finding or a call failure.
    public func refusal(path: String, sha256: String?) -> String? {
        guard let sha256 else {
            return "\(path) could not be hashed, so it cannot be checked against the trust file \(file)"
        }
        guard !trusts(sha256: sha256) else { return nil }
        return "the plugin file \(path) is not trusted: its SHA-256 \(sha256) is not in \(file), and "
            + "--require-trusted (or WFHOST_REQUIRE_TRUSTED=1) loads only trusted files"
    }

    /// The hint of a refusal.
    public static func hint(path: String) -> String {
        "check the file, then trust it with `wfhost plugins trust \(path)`"
    }
}

/// A trust file that cannot be read or written, or holds a line that is not a hash and a path.
public struct PluginTrustError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var hint: String?
    public var description: String { "error: \(message)" + (hint.map { "\n  hint: \($0)" } ?? "") }
}
