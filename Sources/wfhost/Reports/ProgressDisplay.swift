import WorkflowHost
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Shows a run on stderr: one live progress line on a terminal (as wide as the terminal, which is read again on
/// SIGWINCH; cleared before any other output), plain lines prefixed with `[finished/total]` otherwise, with no
/// escape sequence at all.
final class ProgressDisplay: RunEventSink, @unchecked Sendable {
    // @unchecked: all state is guarded by `lock`.
    private let lock = NSLock()
    private let live: Bool
    private let quiet: Bool
    private let started = Date()
    private var lineShown = false
    private var running: [String] = []
    private var fraction = 0.0
    private var finished = 0
    private var total = 0
    private var ticker: DispatchSourceTimer?
    private var resize: DispatchSourceSignal?
    /// The terminal's columns (TIOCGWINSZ on stderr), else COLUMNS, else 80.
    private var width = 80
    /// Under GitHub Actions each stage's lines are held until it finishes, then written as one
    /// `::group::`/`::endgroup::` block, so that concurrent stages do not interleave inside a group.
    private let groups: Bool
    private var held: [String: [String]] = [:]

    init(quiet: Bool, forcePlain: Bool = false, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.quiet = quiet
        self.groups = GitHubActions.isActive(environment)
        self.live = !forcePlain && !groups && isatty(2) != 0 && environment["TERM"] != "dumb"
        self.width = Self.terminalWidth(environment)
    }

    static func terminalWidth(_ environment: [String: String]) -> Int {
        TerminalSize.columns(of: 2) ?? Int(environment["COLUMNS"] ?? "").flatMap { $0 > 0 ? $0 : nil } ?? 80
    }

    func emit(_ event: RunEvent) {
        guard !quiet else { return }
        lock.withLock {
            switch event {
            case .runStarted(_, _, let stages):
                total = stages
                if live { startTicker(); watchResizes() }
            case .progress(let f, let done, let all, let names):
                fraction = f; finished = done; total = all; running = names
                if live { redraw() }
            case .stageStarted(let stage, let attempt):
                if !running.contains(stage) { running.append(stage) }
                stageLine(stage, attempt == 1 ? "stage \(stage): started" : "stage \(stage): attempt \(attempt) started")
            case .stageFinished(let stage, let status, let attempts, let duration, let failure, let reason):
                running.removeAll { $0 == stage }
                // Progress events come at most every 50 ms: count a finished stage here, so that `[n/N]` is current.
                if status != .pending && status != .running { finished = min(total, finished + 1) }
                var line = "stage \(stage): \(status.rawValue)"
                if attempts > 1 { line += " after \(attempts) attempts" }
                if status != .skipped { line += " in \(Self.format(duration))" }
                if let failure { line += " — \(failure)" }
                if let reason { line += " (\(reason))" }
                if let hint = failure?.hint, status == .failed || status == .allowedFailure { line += "\n  hint: \(hint)" }
                stageLine(stage, line)
                if groups, let lines = held.removeValue(forKey: stage) {
                    plain("::group::stage \(GitHubActions.escapeData(stage)): \(status.rawValue)\n" + lines.joined(separator: "\n")
                          + "\n::endgroup::")
                }
            case .retrying(let stage, let next, let delay, let failure):
                stageLine(stage, "stage \(stage): \(failure); retrying (attempt \(next)) in \(Self.format(delay))")
            case .log(let stage, let tool, let level, let message):
                stageLine(stage, "[\(stage)] \(tool) \(level): \(message)")
            case .notice(let text):
                plain("wfhost: \(text)")
            case .runFinished:
                for stage in held.keys.sorted() {
                    plain("::group::stage \(GitHubActions.escapeData(stage))\n" + (held[stage] ?? []).joined(separator: "\n") + "\n::endgroup::")
                }
                held = [:]
                ticker?.cancel()
                ticker = nil
                resize?.cancel()
                resize = nil
                if live { clearLine() }
            default:
                break
            }
        }
    }

    /// Redraws the live line every second so that the elapsed time and ETA move between events.
    private func startTicker() {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.withLock { if self.lineShown { self.redraw() } }
        }
        timer.resume()
        ticker = timer
    }

    /// On SIGWINCH, reads the width again and redraws the line to it.
    private func watchResizes() {
        signal(SIGWINCH, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
        source.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.withLock {
                self.width = Self.terminalWidth(ProcessInfo.processInfo.environment)
                if self.lineShown { self.redraw() }
            }
        }
        source.resume()
        resize = source
    }

    /// A line about `stage`: held for its group under GitHub Actions, else written.
    private func stageLine(_ stage: String, _ text: String) {
        if groups { held[stage, default: []].append(text) } else { plain(text, counted: true) }
    }

    /// A line above the live one (writeStandardError clears that first); `counted`: a stage's line, which, when
    /// there is no live line, starts with how far the run is (`[finished/total]`).
    private func plain(_ text: String, counted: Bool = false) {
        writeStandardError((counted && !live ? "[\(finished)/\(total)] " : "") + text + "\n")
        if live { redraw() }
    }

    private func clearLine() {
        LiveLine.shared.clear()
        lineShown = false
    }

    private func redraw() {
        let elapsed = Date().timeIntervalSince(started)
        var line = "[\(finished)/\(total)] \(Int((fraction * 100).rounded()))% \(Self.format(seconds: elapsed))"
        if fraction > 0.05 && fraction < 1 {
            line += " eta \(Self.format(seconds: elapsed / fraction - elapsed))"
        }
        if !running.isEmpty { line += " running: " + running.joined(separator: ", ") }
        // One column is left free: a line as wide as the terminal makes some terminals wrap at once.
        let room = max(10, width - 1)
        if line.count > room { line = String(line.prefix(room - 1)) + "…" }
        LiveLine.shared.show(line)
        lineShown = true
    }

    static func format(_ d: Duration) -> String {
        let (s, atto) = d.components
        return format(seconds: Double(s) + Double(atto) / 1e18)
    }

    static func format(seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        return "\(Int(seconds) / 60)m\(Int(seconds) % 60)s"
    }
}
