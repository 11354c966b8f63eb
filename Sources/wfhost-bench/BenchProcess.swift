#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Isolation

/// A benchmark step that failed: the command and what it printed, or the file operation and its errno.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Child processes and scratch files for `wfhost-bench`: spawn through Isolation's `ChildProcess` (the same
/// posix_spawn path the host uses for its workers) and time spawn to reaped exit.
enum BenchProcess {
    /// Runs `executable` with stdin and stdout on /dev/null (or stdout into `stdoutPath`) and stderr into
    /// `stderrPath`; returns the wall time from spawn to reaped exit, in milliseconds.
    /// - Throws: `BenchError` when the child cannot be spawned or does not exit with 0 (with the
    ///   tail of its stderr).
    /// The peak resident memory (KiB) of the child `timedRun` last waited for.
    nonisolated(unsafe) static var lastMaxRSSKiB: UInt64 = 0

    @discardableResult
    static func timedRun(_ executable: String, _ arguments: [String], stdoutPath: String? = nil,
                         stderrPath: String) throws -> Double {
        let devNull = try openFile("/dev/null", O_RDWR)
        defer { close(devNull) }
        let out = try stdoutPath.map { try openFile($0, O_WRONLY | O_CREAT | O_TRUNC) } ?? devNull
        defer { if out != devNull { close(out) } }
        let err = try openFile(stderrPath, O_WRONLY | O_CREAT | O_TRUNC)
        defer { close(err) }
        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let clock = ContinuousClock()
        let start = clock.now
        let termination: Termination
        do {
            let child = try ChildProcess(executable: executable, arguments: arguments, environment: environment,
                                         fds: [(devNull, 0), (out, 1), (err, 2)])
            let reaped = try child.reapWithUsage(block: true)
            termination = reaped?.termination ?? .exited(code: -1)
            lastMaxRSSKiB = reaped?.maxRSSKiB ?? 0
        } catch {
            throw BenchError("\(executable): \(error)")
        }
        let elapsed = clock.now - start
        guard termination == .exited(code: 0) else {
            let text = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" // only decorates the error
            let command = ([executable] + arguments).joined(separator: " ")
            throw BenchError("`\(command)` \(termination)" + (text.isEmpty ? "" : ":\n\(text.suffix(2000))"))
        }
        let (seconds, attoseconds) = elapsed.components
        return Double(seconds) * 1e3 + Double(attoseconds) / 1e15
    }

    /// `timedRun` for a step whose time does not matter.
    static func check(_ executable: String, _ arguments: [String], stdoutPath: String? = nil,
                      stderrPath: String) throws {
        try timedRun(executable, arguments, stdoutPath: stdoutPath, stderrPath: stderrPath)
    }

    /// The first executable named `name` in `$PATH`, or nil.
    static func findOnPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    /// The wfhost binary the benchmarks measure (`--wfhost`), and the worker of its install tree.
    nonisolated(unsafe) static var wfhostPath = ""

    /// Chooses the wfhost to measure; its tree's worker is what calls use (WFHOST_WORKER for the children too).
    static func select(wfhost: String) throws {
        let path = URL(fileURLWithPath: wfhost).standardizedFileURL.path
        guard access(path, X_OK) == 0 else {
            throw BenchError("no wfhost at \(path): build it with `make` (dist/bin/wfhost) or pass --wfhost PATH")
        }
        wfhostPath = path
        let dir = (path as NSString).deletingLastPathComponent
        for worker in [dir + "/../libexec/wfhost/wfhost-worker", dir + "/wfhost-worker"] where access(worker, X_OK) == 0 {
            setenv("WFHOST_WORKER", (worker as NSString).standardizingPath, 1)
            break
        }
    }

    /// The wfhost binary the children run (`--wfhost`).
    static func currentExecutable() throws -> String {
        guard !wfhostPath.isEmpty else { throw BenchError("no wfhost selected (--wfhost)") }
        return wfhostPath
    }

    /// The core plugin of the measured tree: `../lib/wfhost/plugins/core.so`, or `libcore.so` in a build folder.
    static func corePlugin() -> String? {
        let dir = (wfhostPath as NSString).deletingLastPathComponent
        return [dir + "/../lib/wfhost/plugins/core.so", dir + "/libcore.so"].first { access($0, R_OK) == 0 }
    }

    /// A new private directory under `$TMPDIR` (mkdtemp).
    static func makeTemporaryDirectory() throws -> String {
        var base = NSTemporaryDirectory()
        while base.count > 1, base.hasSuffix("/") { base.removeLast() }
        var template = Array((base + "/wfhost-bench-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw BenchError("in \(base): "
                             + SystemError("mkdtemp", errno: errno).description)
        }
        return String(cString: made)
    }

    /// Removes the scratch directory; a failure is reported on stderr, not thrown (the figures are still good).
    static func remove(_ directory: String) {
        do {
            try FileManager.default.removeItem(atPath: directory)
        } catch {
            printError("warning: could not remove \(directory): \(error.localizedDescription)")
        }
    }

    private static func openFile(_ path: String, _ flags: CInt) throws -> CInt {
        let fd = open(path, flags | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw BenchError("\(path): " + SystemError("open", errno: errno).description)
        }
        return fd
    }
}

/// What a benchmark produced: its figures, or why it could not run here (no C compiler, no SDK header, ...).
enum BenchOutcome<Figures> {
    case measured(Figures)
    case skipped(String)
}

/// How a figure compares with its goal, in the benchmark reports.
func goalVerdict(_ met: Bool) -> String { met ? "met" : "NOT met" }
