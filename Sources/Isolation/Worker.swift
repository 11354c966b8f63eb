#if canImport(Glibc)
import Glibc
#endif
import CSupport
import Schema

/// A live `wfhost-worker serve` process confined for one `WorkerKey`, serving calls one at a time.
/// Owned by one supervisor thread at a time (the pool hands it out exclusively).
public final class Worker: @unchecked Sendable {
    // @unchecked: a Worker is used by one thread at a time; the pool's lock orders the hand-overs.
    public let key: WorkerKey
    let process: ChildProcess
    private let requestFD: CInt
    /// The worker's output channels and its end (the supervision loop every child shares).
    private let io: Supervision
    private var frames: FrameReader
    private var stdoutTail: TailBuffer { io.stdoutTail }
    private var stderrTail: TailBuffer { io.stderrTail }
    private var exit: (termination: Termination, maxRSSKiB: UInt64)? { io.exit }
    public private(set) var callsServed = 0
    /// The worker's peak resident memory (KiB) as its last call's done frame reported it.
    public private(set) var lastMaxRSSKiB: UInt64 = 0
    /// "enforced" (every layer), "partial" (the kernel lacks some; `sandboxMissing` says which) or "off".
    public private(set) var sandboxStatus = "off"
    /// The layers the worker reported in force (`layers` of its ready frame), for `call --json` and `doctor`.
    public private(set) var sandboxLayers: JSONValue = .null
    /// The layers missing on this machine, as the worker worded them ("" when none is).
    public private(set) var sandboxMissing = ""
    /// The layers this worker runs under.
    public var sandboxReport: SandboxReport {
        SandboxReport(status: sandboxStatus, layers: sandboxLayers, missing: sandboxMissing)
    }
    /// A fork server: each call runs in a fresh child, whose end a 'K' frame reports after the call's 'D'.
    public private(set) var forkCalls = false
    /// The id of the call in progress; every event must carry it. Numbered up from a random start per worker,
    /// so that something a tool started cannot guess the next call's id (0 is never a call's).
    private var callID = UInt32.random(in: 1...(UInt32.max / 2))
    /// The worker can take another call.
    public var isReusable: Bool { exit == nil && reusable }

    /// For an idle pooled worker: it has not exited since its last call (its pidfd is not readable).
    func isIdleAndAlive() -> Bool {
        guard isReusable else { return false }
        if process.pidfd >= 0 {
            var fds = [pollfd(fd: process.pidfd, events: Int16(POLLIN), revents: 0)]
            do { try Sys.poll(&fds, timeoutMs: 0) } catch { return false }
            return fds[0].revents == 0
        }
        return (try? process.reapIfExited()) == nil // no pidfd: a non-blocking reap tells; an error means gone
    }
    private var reusable = true
    private var closed = false
    /// The tool of the call in progress (named in the crash hint).
    private var currentTool = ""

    public var pid: pid_t { process.pid }

    private init(key: WorkerKey, process: ChildProcess, requestFD: CInt, eventFD: CInt, stdoutFD: CInt, stderrFD: CInt) {
        self.key = key
        self.process = process
        self.requestFD = requestFD
        self.io = Supervision(process: process, eventFD: eventFD, stdoutFD: stdoutFD, stderrFD: stderrFD,
                              tailLimit: 64 << 10)
        self.frames = FrameReader(maxFrame: key.maxResultBytes + (1 << 20))
        io.onEvents = { [unowned self] bytes in
            self.frames.append(bytes)
            return true
        }
    }

    deinit {
        shutdown(grace: .zero)
    }

    /// Spawns a worker for `key` and waits until it has confined itself and loaded the plugin.
    /// - Throws: `CallFailure` when the worker cannot start or the plugin cannot be loaded.
    public static func start(key: WorkerKey, workerPath: String, baseEnvironment: [String: String],
                             hiddenPaths: [String] = [], forkCalls: Bool = false, trust: PluginTrust? = nil,
                             startTimeout: Duration = .seconds(10)) throws(CallFailure) -> Worker {
        let pluginFD = Glibc.open(key.pluginPath, O_RDONLY | O_CLOEXEC)
        guard pluginFD >= 0 else {
            throw CallFailure(.exit, "cannot open the plugin \(key.pluginPath): \(String(cString: strerror(errno)))",
                              retryable: false, hint: "run `wfhost plugins scan` to refresh the registry")
        }
        defer { Sys.close(pluginFD) }
        // The bytes the worker will load are the ones hashed here: it receives this descriptor and checks the
        // path against it before dlopen.
        if let trust, let refusal = trust.refusal(path: key.pluginPath, sha256: PluginTrust.sha256(fd: pluginFD)) {
            throw CallFailure(.exit, "refused: " + refusal, retryable: false,
                              hint: PluginTrust.hint(path: key.pluginPath))
        }
        let devNull = Glibc.open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { if devNull >= 0 { Sys.close(devNull) } }
        var pipes: [(read: CInt, write: CInt)] = []
        do {
            for _ in 0..<4 { pipes.append(try Sys.pipe()) }
        } catch {
            for p in pipes { Sys.close(p.read); Sys.close(p.write) } // the ones made before the failure
            throw CallFailure(.exit, "cannot create the worker's pipes: \(error)", retryable: true)
        }
        let (requests, events, out, err) = (pipes[0], pipes[1], pipes[2], pipes[3])
        let args = serveArguments(key: key, hiddenPaths: hiddenPaths, forkCalls: forkCalls)
        let process: ChildProcess
        do {
            process = try ChildProcess(
                executable: workerPath, arguments: args,
                environment: Self.scrubbedEnvironment(base: baseEnvironment, workDirectory: key.sandbox.workDirectory,
                                                      extra: key.sandbox.environment),
                fds: [(devNull, 0), (out.write, 1), (err.write, 2), (requests.read, WorkerFD.requests),
                      (events.write, WorkerFD.events), (pluginFD, WorkerFD.plugin)])
        } catch {
            for p in pipes { Sys.close(p.read); Sys.close(p.write) }
            throw CallFailure(.exit, "cannot start the worker \(workerPath): \(error)", retryable: false,
                              hint: "reinstall wfhost, or set WFHOST_WORKER to the worker's path")
        }
        Sys.close(requests.read); Sys.close(events.write); Sys.close(out.write); Sys.close(err.write)
        let worker = Worker(key: key, process: process, requestFD: requests.write, eventFD: events.read,
                            stdoutFD: out.read, stderrFD: err.read)
        worker.forkCalls = forkCalls
        let deadline = Sys.monotonicNanos() + startTimeout.nanoseconds
        while true {
            switch worker.pump(until: deadline, cancellation: nil) {
            case .frame(let f) where f.type == WorkerProtocol.frame(WFH_FRAME_READY):
                let info = try? JSONValue.parse(Array(f.payload)) // the ready frame is ours; a bad one only loses the status
                worker.sandboxStatus = info?["sandbox"]?.stringValue ?? "off"
                worker.sandboxLayers = info?["layers"] ?? .null
                worker.sandboxMissing = info?["missing"]?.stringValue ?? ""
                return worker
            case .frame(let f) where f.type == WorkerProtocol.frame(WFH_FRAME_LOAD_FAILED):
                let info = try? JSONValue.parse(Array(f.payload)) // as above
                worker.shutdown(grace: .zero)
                let kind = info?["kind"]?.stringValue ?? "load_failed"
                throw CallFailure(kind == "sandbox_failed" ? .sandboxDenied : .exit,
                                  "the worker could not load \(key.pluginPath): "
                                      + (info?["message"]?.stringValue ?? "unknown reason")
                                      + Self.environmentNote(kind: kind, base: baseEnvironment),
                                  retryable: false, hint: "run `wfhost plugins validate \(key.pluginPath)`")
            case .frame:
                continue
            case .exited(let termination, _):
                throw CallFailure(.crash, "the worker ended while loading \(key.pluginPath) (\(termination))"
                                      + worker.stderrNote, retryable: true,
                                  hint: "run `wfhost plugins validate \(key.pluginPath)`; `wfhost plugins debug "
                                      + "\(key.pluginPath) --gdb` loads it under gdb and prints the backtrace")
            case .deadline, .cancelRequested:
                worker.shutdown(grace: .zero)
                throw CallFailure(.timeout, "the worker did not load \(key.pluginPath) within \(startTimeout)",
                                  retryable: true)
            case .badFrame(let why):
                worker.shutdown(grace: .zero)
                throw CallFailure(.protocol, "the worker sent a bad frame while starting: \(why)", retryable: false)
            }
        }
    }

    /// For a library the plugin needs and the worker could not find: what the worker's environment lacks (the
    /// scanner and calls get the same scrubbed environment, so `plugins validate` fails alike).
    static func environmentNote(kind: String, base: [String: String]) -> String {
        guard kind == "missing_dependency" || kind == "undefined_symbol" else { return "" }
        var note = "; workers get only PATH, LANG, LC_ALL and TZ of wfhost's environment"
        if let path = base["LD_LIBRARY_PATH"], !path.isEmpty {
            note += ", so your LD_LIBRARY_PATH (\(path)) does not reach them"
        }
        return note + ": install the library system-wide, or bundle it beside the plugin with an $ORIGIN run "
            + "path (share/doc/wfhost/SDK.md in the install tree, \"Bundling dependencies\")"
    }

    /// The worker options of the sandbox: its mode, network, declared paths and the paths to mask.
    /// The worker's arguments for serving calls under `key` (what `start` runs, and `wfhost plugins debug` prints).
    public static func serveArguments(key: WorkerKey, hiddenPaths: [String], forkCalls: Bool = false) -> [String] {
        ["serve", key.pluginPath, "--mem-mb", String(key.memoryMB), "--cpu-s", String(key.cpuSeconds),
         "--nofile", String(key.openFiles), "--max-result", String(key.maxResultBytes),
         "--work-dir", key.sandbox.workDirectory]
            + sandboxArguments(key.sandbox, hiddenPaths: hiddenPaths) + (forkCalls ? ["--fork-calls", "1"] : [])
    }

    /// The worker's arguments for running a program confined under `sandbox` and `limits` (`wfhost-worker exec`,
    /// an MCP tool server): the options `serve` takes; the caller appends `--`, the program and its arguments.
    public static func execArguments(sandbox: SandboxSpec, limits: CallLimits, hiddenPaths: [String]) -> [String] {
        ["exec", "--mem-mb", String(limits.memoryMB), "--cpu-s", String(limits.cpuSeconds),
         "--nofile", String(limits.openFiles), "--work-dir", sandbox.workDirectory]
            + sandboxArguments(sandbox, hiddenPaths: hiddenPaths)
    }

    /// The request frame of one call, as `call` writes it to the worker's fd 3.
    public static func requestFrame(_ request: CallRequest, callID: UInt32, workDirectory: String) -> [UInt8] {
        FrameReader.callFrame(request, callID: callID, workDirectory: workDirectory)
    }

    /// The hint for a tool that went on after the host asked it to stop (SIGUSR1, then SIGKILL after the grace).
    public static let ignoredCancellationHint = "the tool did not stop after the cancel request: check is_cancelled "
        + "in its long loops and return soon after (WfhostPluginKit: checkCancellation(); Rust: "
        + "call.check_cancellation()?)"

    public static func sandboxArguments(_ sandbox: SandboxSpec, hiddenPaths: [String]) -> [String] {
        var args = ["--sandbox", !sandbox.enforce ? "off" : sandbox.strict ? "strict" : "on",
                    "--network", sandbox.network ? "1" : "0"]
        for p in sandbox.readPaths.prefix(WorkerProtocol.maxSandboxPaths) { args += ["--read", p] }
        for p in sandbox.writePaths.prefix(WorkerProtocol.maxSandboxPaths) { args += ["--write", p] }
        for p in hiddenPaths.prefix(WorkerProtocol.maxSandboxPaths) { args += ["--hide", p] }
        return args
    }

    /// The environment of every worker, scanner and call alike: only what it is given. PATH and the locale are
    /// kept so that programs run; the user's home is passed (as WFHOST_USER_HOME) only so that the worker can
    /// mask its credential stores.
    public static func scrubbedEnvironment(base: [String: String], workDirectory: String?,
                                           extra: [String: String] = [:]) -> [String] {
        var env: [String: String] = [:]
        for name in ["PATH", "LANG", "LC_ALL", "TZ"] { if let v = base[name] { env[name] = v } }
        if env["PATH"] == nil { env["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        env["HOME"] = workDirectory ?? "/"
        env["TMPDIR"] = workDirectory ?? "/tmp"
        if let home = base["HOME"], home.hasPrefix("/") { env["WFHOST_USER_HOME"] = home }
        for (k, v) in extra { env[k] = v }
        env["SWIFT_BACKTRACE"] = "enable=no"
        env["WFHOST_PARENT_PID"] = String(getpid())
        return env.map { "\($0.key)=\($0.value)" }.sorted()
    }

    private var stderrNote: String {
        let text = stderrTail.text.split(separator: "\n").suffix(3).joined(separator: " | ")
        return text.isEmpty ? "" : "; stderr: \(text)"
    }

    // MARK: - Supervision loop

    enum Pumped {
        case frame(FrameReader.Frame)
        case exited(Termination, UInt64)
        case deadline
        case cancelRequested
        case badFrame(String)
    }

    /// Reads output until a frame is complete, the worker exits, the deadline passes or cancellation is asked.
    private func pump(until deadline: UInt64?, cancellation: CallCancellation?) -> Pumped {
        while true {
            do {
                if let frame = try frames.next() { return .frame(frame) }
            } catch {
                return .badFrame(Self.describe(error))
            }
            if let exit {
                return .exited(exit.termination, exit.maxRSSKiB)
            }
            if let cancellation, cancellation.isCancelled { return .cancelRequested }
            switch io.wait(until: deadline, extraFD: cancellation?.readFD ?? -1) {
            case .deadline: return .deadline
            case .failed(let why): return .badFrame(why)
            case .progress, .exited, .extra: continue // frames, the exit and the cancellation are read above
            }
        }
    }

    private static func describe(_ error: FrameReader.ReadError) -> String {
        switch error {
        case .oversized(let n): return "a frame of \(n) bytes is over the limit"
        case .empty: return "an empty frame"
        }
    }

    // MARK: - Calls

    private enum EndReason { case timeout, cancelled(String) }

    /// Sends one call and supervises it to its end.
    public func call(_ request: CallRequest, limits: CallLimits, cancellation: CallCancellation?,
                     onEvent: (CallEvent) -> Void) -> Result<CallSuccess, CallFailure> {
        let started = Sys.monotonicNanos()
        io.stdoutTail = TailBuffer(limit: 64 << 10)
        io.stderrTail = TailBuffer(limit: 64 << 10)
        callsServed += 1
        currentTool = request.tool
        callID &+= 1
        if callID == 0 { callID = 1 }
        let frame = FrameReader.callFrame(request, callID: callID, workDirectory: key.sandbox.workDirectory)
        let sent = frame.withUnsafeBytes { bytes -> Bool in
            do { try Sys.writeAll(requestFD, bytes); return true } catch { return false }
        }
        if !sent { reusable = false } // EPIPE: the worker is gone; pump below reports how it ended
        var result: [UInt8]? = nil
        var resultTooLarge: Int? = nil
        var verdict: (code: String, message: String)? = nil
        var toolError: (retryable: Bool, code: String, message: String)? = nil
        var endReason: EndReason? = nil
        var deadline = started + limits.timeout.nanoseconds
        var killed = false
        var done: (ok: Bool, rss: UInt64)? = nil // a fork server's 'D', until its 'K' says the call's process ended

        while true {
            switch pump(until: deadline, cancellation: endReason == nil ? cancellation : nil) {
            case .frame(let f) where f.callID != callID:
                // A late frame of an earlier call, or one forged by something the tool started: never this
                // call's result. The stream can no longer be trusted, so the worker is retired.
                reusable = false
                io.killAndReap() // the stray frame is what we report
                return .failure(withTails(CallFailure(
                    .protocol, "the worker sent a frame for call \(f.callID) during call \(callID)",
                    hint: "a process the tool started, or a late reply of an earlier call, wrote to the protocol "
                        + "channel; the worker was retired")))
            case .frame(let f):
                switch f.type {
                case WorkerProtocol.frame(WFH_FRAME_RESULT):
                    // The host enforces the limit itself, whatever the tool did with set_result's answer.
                    if f.payload.count > limits.maxResultBytes { resultTooLarge = f.payload.count; result = nil }
                    else { result = Array(f.payload) }
                case WorkerProtocol.frame(WFH_FRAME_VERDICT):
                    let (code, message) = Self.splitNul(f.payload)
                    verdict = (code, message)
                case WorkerProtocol.frame(WFH_FRAME_ERROR):
                    let retryable = f.payload.first.map { $0 != 0 } ?? false
                    let (code, message) = Self.splitNul(f.payload.dropFirst())
                    toolError = (retryable, TerminalText.escape(code), TerminalText.escape(message))
                case WorkerProtocol.frame(WFH_FRAME_LOG):
                    let level = f.payload.first.flatMap { CallEvent.LogLevel(rawValue: Int($0)) } ?? .info
                    onEvent(.log(level: level, message: TerminalText.escape(String(decoding: f.payload.dropFirst(), as: UTF8.self))))
                case WorkerProtocol.frame(WFH_FRAME_PROGRESS) where f.payload.count >= 8:
                    var fraction = 0.0
                    withUnsafeMutableBytes(of: &fraction) { $0.copyBytes(from: f.payload.prefix(8)) }
                    if !(fraction >= 0) { fraction = 0 } else if fraction > 1 { fraction = 1 }
                    onEvent(.progress(fraction: fraction,
                                      message: TerminalText.escape(String(decoding: f.payload.dropFirst(8), as: UTF8.self))))
                case WorkerProtocol.frame(WFH_FRAME_DONE):
                    var rss: UInt64 = 0
                    if f.payload.count >= 9 { withUnsafeMutableBytes(of: &rss) { $0.copyBytes(from: f.payload.dropFirst().prefix(8)) } }
                    let ok = f.payload.first == 0
                    lastMaxRSSKiB = rss
                    if forkCalls { done = (ok, rss); continue } // the call ends when its process has (the 'K' frame)
                    if endReason != nil { reusable = false }
                    if let size = resultTooLarge, verdict == nil { verdict = (WFH_VERDICT_RESULT_TOO_LARGE, String(size)) }
                    return finish(ok: ok && verdict == nil, result: result, verdict: verdict, toolError: toolError,
                                  endReason: endReason, limits: limits, started: started, maxRSSKiB: rss)
                case WorkerProtocol.frame(WFH_FRAME_CALL_ENDED) where forkCalls && f.payload.count >= 6:
                    var code: Int32 = 0
                    withUnsafeMutableBytes(of: &code) { $0.copyBytes(from: f.payload.dropFirst().prefix(4)) }
                    let ended: Termination = f.payload.first == 1
                        ? .signaled(Signal(rawValue: code), coreDumped: f.payload[f.payload.startIndex + 5] != 0)
                        : .exited(code: code)
                    if let done, case .exited(0) = ended {
                        if endReason != nil { reusable = false }
                        if let size = resultTooLarge, verdict == nil { verdict = (WFH_VERDICT_RESULT_TOO_LARGE, String(size)) }
                        return finish(ok: done.ok && verdict == nil, result: result, verdict: verdict, toolError: toolError,
                                      endReason: endReason, limits: limits, started: started, maxRSSKiB: done.rss)
                    }
                    // The call's process died before it finished: a crash or an exit, as for a one-call worker; the
                    // server is recycled like a pooled worker after a crash.
                    reusable = false
                    return .failure(failureForExit(ended, maxRSSKiB: done?.rss ?? 0, endReason: endReason, killed: killed,
                                                   limits: limits, toolError: toolError))
                default:
                    break // unknown event types are ignored: a newer worker may send more
                }
            case .exited(let termination, let rss):
                return .failure(failureForExit(termination, maxRSSKiB: rss, endReason: endReason, killed: killed,
                                               limits: limits, toolError: toolError))
            case .deadline:
                if endReason == nil {
                    endReason = .timeout
                    process.signalGroup(.terminate)
                    deadline = Sys.monotonicNanos() + limits.grace.nanoseconds
                } else if !killed {
                    killed = true
                    process.signalGroup(.kill)
                    deadline = Sys.monotonicNanos() + 10_000_000_000 // reaping a SIGKILLed process is prompt
                } else {
                    reusable = false
                    return .failure(withTails(CallFailure(.timeout, "the worker did not die after SIGKILL")))
                }
            case .cancelRequested:
                endReason = .cancelled(cancellation?.reason ?? "the call was cancelled")
                process.signalProcess(Signal(rawValue: SIGUSR1))
                deadline = Sys.monotonicNanos() + limits.grace.nanoseconds
            case .badFrame(let why):
                reusable = false
                io.killAndReap() // the frame error is what we report
                return .failure(withTails(CallFailure(.protocol, "the worker sent a malformed frame: \(why)",
                                                      hint: "a result larger than the limit (\(limits.maxResultBytes) bytes) or a corrupted worker")))
            }
        }
    }

    private static func splitNul(_ bytes: ArraySlice<UInt8>) -> (String, String) {
        let nul = bytes.firstIndex(of: 0) ?? bytes.endIndex
        return (String(decoding: bytes[..<nul], as: UTF8.self),
                String(decoding: bytes[(nul < bytes.endIndex ? nul + 1 : nul)...], as: UTF8.self))
    }

    private func withTails(_ failure: CallFailure) -> CallFailure {
        var f = failure
        f.stdoutTail = TerminalText.escape(stdoutTail.text)
        f.stderrTail = TerminalText.escape(stderrTail.text)
        f.workerPID = process.pid
        f.sandbox = sandboxReport
        return f
    }

    private func finish(ok: Bool, result: [UInt8]?, verdict: (code: String, message: String)?,
                        toolError: (retryable: Bool, code: String, message: String)?,
                        endReason: EndReason?, limits: CallLimits, started: UInt64,
                        maxRSSKiB: UInt64) -> Result<CallSuccess, CallFailure> {
        let duration = Duration.nanoseconds(Int64(Sys.monotonicNanos() - started))
        switch endReason {
        case .timeout:
            return .failure(withTails(CallFailure(.timeout, "the call did not finish within \(Self.format(limits.timeout)); "
                                                      + "the tool stopped after SIGTERM")))
        case .cancelled(let reason):
            // The tool's own word on how it stopped, when it gave one, follows the reason.
            let said = toolError.map { $0.message.isEmpty ? "" : " (the tool reported: \($0.message))" } ?? ""
            return .failure(withTails(CallFailure(.cancelled, reason + said)))
        case nil:
            break
        }
        if ok {
            let bytes = result ?? Array("{}".utf8)
            do {
                let value = try JSONValue.parse(bytes)
                return .success(CallSuccess(result: value, stdoutTail: TerminalText.escape(stdoutTail.text),
                                            stderrTail: TerminalText.escape(stderrTail.text),
                                            duration: duration, maxRSSKiB: maxRSSKiB, workerPID: process.pid,
                                            sandbox: sandboxReport))
            } catch {
                return .failure(withTails(CallFailure(.protocol, "the tool's result is not valid JSON: \(error)",
                                                      hint: "the plugin must pass JSON text to set_result")))
            }
        }
        // The worker's own findings come first: the host assigns these classes, never the tool.
        switch verdict?.code {
        case WFH_VERDICT_RESULT_TOO_LARGE:
            return .failure(withTails(CallFailure(
                .protocol, "the result of \(verdict?.message ?? "?") bytes exceeds the limit of \(limits.maxResultBytes) bytes",
                hint: "return less (write large data to a file in the work directory and return its path), or raise "
                    + "the result-size limit")))
        case WFH_VERDICT_OUT_OF_MEMORY:
            return .failure(withTails(CallFailure(.outOfMemory, "\(verdict?.message ?? "") (memory limit \(limits.memoryMB) MiB)",
                                                  hint: "raise the tool's memory limit (memory_mb) or give it less work")))
        default:
            break
        }
        guard let toolError else {
            return .failure(withTails(CallFailure(.toolError, "the tool failed without reporting an error",
                                                  retryable: false, hint: "the plugin should call report_error "
                                                      + "(wfh_fail) before returning WFH_FAILED")))
        }
        if toolError.code == "invalid_args" {
            return .failure(withTails(CallFailure(.invalidArgs, toolError.message, toolCode: toolError.code)))
        }
        // An operation the tool reports as refused (EACCES/EPERM) while wfhost's sandbox confines it: the host's
        // inference that its own sandbox said no (the tool's word alone, a code `sandbox_denied`, is not enough).
        if toolError.code == "permission_denied", key.sandbox.enforce, sandboxStatus != "off" {
            return .failure(withTails(CallFailure(
                .sandboxDenied, toolError.message, retryable: false, toolCode: toolError.code,
                hint: "the sandbox allows writes only to the work directory and the tool's declared write paths ("
                    + (key.sandbox.writePaths.isEmpty ? "none" : key.sandbox.writePaths.joined(separator: ", "))
                    + "); declare the path in the tool's capabilities")))
        }
        if toolError.code == "out_of_memory" {
            // The tool's own word (malloc returned NULL under RLIMIT_AS): it stays a tool_error, with the limit.
            return .failure(withTails(CallFailure(
                .toolError, "\(toolError.message) (memory limit \(limits.memoryMB) MiB)", retryable: toolError.retryable,
                toolCode: toolError.code, hint: "raise the tool's memory limit (memory_mb) or give it less work")))
        }
        // Any other code, including one that spells a host class (crash, timeout, sandbox_denied, ...), is the
        // tool's own error: it cannot change how retry_on or error routes treat the failure.
        return .failure(withTails(CallFailure(.toolError, toolError.message, retryable: toolError.retryable,
                                              toolCode: toolError.code)))
    }

    private func failureForExit(_ termination: Termination, maxRSSKiB: UInt64, endReason: EndReason?, killed: Bool,
                                limits: CallLimits, toolError: (retryable: Bool, code: String, message: String)?) -> CallFailure {
        switch endReason {
        case .timeout:
            return withTails(CallFailure(.timeout, "the call did not finish within \(Self.format(limits.timeout)); "
                                             + (killed ? "killed with SIGKILL after the \(Self.format(limits.grace)) grace"
                                                       : "the worker ended after SIGTERM"),
                                         hint: killed ? Self.ignoredCancellationHint + "; raise the timeout if it is merely slow"
                                             : "raise the timeout if the tool is merely slow"))
        case .cancelled(let reason):
            return withTails(CallFailure(.cancelled, reason + (killed ? " (the worker was killed after the grace time)" : ""),
                                         hint: killed ? Self.ignoredCancellationHint : nil))
        case nil:
            break
        }
        let memoryLimitKiB = UInt64(limits.memoryMB) * 1024
        let stderr = stderrTail.text
        let memoryMentioned = stderr.contains("bad_alloc") || stderr.contains("out of memory")
            || stderr.contains("Cannot allocate memory")
        switch termination {
        case .signaled(let signal, let core):
            if signal.rawValue == SIGXCPU {
                return withTails(CallFailure(.timeout, "the tool used up its CPU-time limit of \(limits.cpuSeconds) s "
                                                 + "(killed by SIGXCPU)", retryable: false))
            }
            if limits.memoryMB > 0 && (memoryMentioned || maxRSSKiB >= memoryLimitKiB * 9 / 10) {
                return withTails(CallFailure(.outOfMemory, "the worker died (\(termination)) at its memory limit of "
                                                 + "\(limits.memoryMB) MiB (peak resident \(maxRSSKiB / 1024) MiB)",
                                             hint: "raise the tool's memory limit or give it less work"))
            }
            // wfhost's own kills (time limits, cancellation) are classified above; a SIGKILL here came from
            // outside: the kernel's OOM killer (under memory pressure below our limit) or an operator.
            let external = signal == .kill
            var failure = withTails(CallFailure(
                .crash, external ? "the worker was killed by SIGKILL from outside wfhost (peak resident "
                    + "\(maxRSSKiB / 1024) MiB)" : "the tool crashed: \(termination)",
                hint: external ? "the kernel's OOM killer (see `dmesg`) or another process ended it; it is retryable"
                    : "the fault is in the plugin \(key.pluginPath); its stderr is kept with the call; `wfhost plugins "
                        + "debug \(key.pluginPath) --tool \(currentTool) --args JSON --gdb` runs the call under gdb and "
                        + "prints the backtrace"))
            failure.signal = signal
            failure.coreDumped = core
            return failure
        case .exited(let code):
            var failure = withTails(CallFailure(.exit, "the worker exited with code \(code) in the middle of the call",
                                                hint: "the tool (or a library it uses) called exit(); tools must "
                                                    + "return instead"))
            failure.exitCode = code
            return failure
        }
    }

    static func format(_ d: Duration) -> String {
        let ms = d.nanoseconds / 1_000_000
        return ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms"
    }

    /// Ends the worker: closes its request channel (it exits on EOF), waits up to `grace`, then kills its group.
    public func shutdown(grace: Duration) {
        guard !closed else { return }
        closed = true
        Sys.close(requestFD)
        if exit == nil {
            if grace > .zero {
                let deadline = Sys.monotonicNanos() + grace.nanoseconds
                while exit == nil, Sys.monotonicNanos() < deadline {
                    if case .exited = pump(until: deadline, cancellation: nil) { break }
                }
            }
            io.killAndReap()
        }
        io.closeChannels()
    }
}
