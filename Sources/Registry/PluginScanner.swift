import Isolation
import Schema

/// What scanning one plugin file produced: the descriptor report (JSON text) or why there is none.
public enum ScanResult: Sendable, Hashable {
    case loaded(report: String)
    case failed(ScanFailure)
}

/// Scans plugin files in `wfhost-worker scan` children (never in the host: ARCHITECTURE.md rule 1).
public struct PluginScanner: Sendable {
    public var workerPath: String
    public var environment: [String]
    /// How long loading a plugin and reading its descriptor may take (default 10 s).
    public var timeout: Duration
    /// Paths the scanner's sandbox masks (the state directory).
    public var hiddenPaths: [String] = []
    /// Scan without the sandbox (`--sandbox off`); by default the scanner runs plugin code in the same sandbox
    /// as a call, with nothing writable and no network.
    public var sandboxed = true

    public init(workerPath: String, environment: [String], timeout: Duration = .seconds(10)) {
        self.workerPath = workerPath
        self.environment = environment
        self.timeout = timeout
    }

    /// Scans the plugin open at `fd` (the exact bytes the host hashed); `displayPath` names it in messages.
    public func scan(fd: CInt, displayPath: String) -> ScanResult {
        var arguments = ["scan", displayPath, "--sandbox", sandboxed ? "on" : "off", "--network", "0"]
        for p in hiddenPaths.prefix(WorkerProtocol.maxSandboxPaths) { arguments += ["--hide", p] }
        var request = OneShotRequest(executable: workerPath, arguments: arguments,
                                     environment: environment, passedFile: fd, timeout: timeout)
        request.passedFileChildFD = WorkerFD.plugin
        let outcome: OneShotOutcome
        do {
            outcome = try OneShotRun.run(request)
        } catch {
            return .failed(ScanFailure(kind: "spawn_failed", message: "cannot start \(workerPath): \(error)"))
        }
        return Self.interpret(outcome, timeout: timeout)
    }

    static func interpret(_ outcome: OneShotOutcome, timeout: Duration) -> ScanResult {
        let stderr = outcome.stderr.text
        if outcome.timedOut {
            return .failed(ScanFailure(kind: "timeout",
                                       message: "no descriptor within \(format(timeout)); the scanner was killed "
                                           + "with SIGKILL", stderrTail: stderr))
        }
        if outcome.eventsOverflowed {
            return .failed(ScanFailure(kind: "protocol", message: "the descriptor report exceeded 16 MiB",
                                       stderrTail: stderr))
        }
        switch outcome.termination {
        case .signaled(let signal, let core):
            return .failed(ScanFailure(kind: "crashed",
                                       message: "killed by \(signal.name)\(core ? ", core dumped" : "")",
                                       stderrTail: stderr))
        case .exited(127) where stderr.contains("error while loading shared libraries"):
            // The dynamic loader could not start the worker itself: no plugin is at fault.
            let line = stderr.split(separator: "\n").first { $0.contains("error while loading shared libraries") }
            return .failed(ScanFailure(kind: ScanFailure.workerUnusable,
                                       message: line.map(String.init) ?? "the worker cannot start", stderrTail: stderr))
        case .exited(let code) where code != 0:
            return .failed(ScanFailure(kind: "exited", message: "exit code \(code)", stderrTail: stderr))
        case .exited:
            break
        }
        let text = String(decoding: outcome.events, as: UTF8.self)
        guard let report = try? JSONValue.parse(outcome.events) else {
            // The parse error itself is not useful to a plugin author: the report is ours, not theirs.
            return .failed(ScanFailure(kind: "protocol",
                                       message: outcome.events.isEmpty ? "the scanner exited without a report"
                                           : "the scanner's report is not valid JSON", stderrTail: stderr))
        }
        if report["ok"]?.boolValue == true { return .loaded(report: text) }
        let major = report["abi_major"]?.intValue, minor = report["abi_minor"]?.intValue
        return .failed(ScanFailure(kind: report["kind"]?.stringValue ?? "load_failed",
                                   message: report["message"]?.stringValue ?? "unknown failure", stderrTail: stderr,
                                   pluginABI: major.map { "\($0).\(minor ?? 0)" }))
    }

    static func format(_ d: Duration) -> String {
        let (s, atto) = d.components
        let ms = s * 1000 + atto / 1_000_000_000_000_000
        return ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms"
    }
}

extension ScanFailure {
    /// The kind of a scan that failed because the worker itself could not start (a missing runtime library).
    public static let workerUnusable = "worker_unusable"
}

/// The worker executable cannot start on this machine (the dynamic loader refused it): an environment error.
public struct WorkerUnusable: Error, Sendable, CustomStringConvertible {
    public var workerPath: String
    /// The loader's words, e.g. "...: error while loading shared libraries: libffi.so.8: cannot open ...".
    public var loaderMessage: String
    public var description: String { "the worker \(workerPath) cannot start: \(loaderMessage)" }
}
