#if canImport(Glibc)
import Glibc
#endif
import Schema

/// Which sandbox layers are in force on this machine, as a worker reports them after confining itself
/// (`wfhost-worker probe`, the same code path as every call and scan).
public struct SandboxReport: Sendable, Equatable {
    /// "enforced" (every layer), "partial" (some missing) or "off".
    public var status: String
    /// The layers, as the worker named them: user_namespace, pid_namespace, mount_namespace, ipc_namespace,
    /// network_namespace, capabilities_dropped (Bool), landlock_abi (Int), seccomp (Bool).
    public var layers: JSONValue
    /// What is missing, in the worker's words ("" when nothing is).
    public var missing: String

    public init(status: String, layers: JSONValue, missing: String) {
        self.status = status
        self.layers = layers
        self.missing = missing
    }

    /// The report as a JSON object: {"status", "layers", "missing"}.
    public var json: JSONValue {
        .object(["status": .string(status), "layers": layers, "missing": .string(missing)])
    }

    /// Runs `wfhost-worker probe` and reads its report.
    /// - Throws: `CallFailure` when the worker cannot run, or refuses (in strict mode, a missing layer).
    public static func probe(workerPath: String, environment: [String], strict: Bool = false,
                             timeout: Duration = .seconds(10)) throws(CallFailure) -> SandboxReport {
        let request = OneShotRequest(executable: workerPath, arguments: ["probe", "--sandbox", strict ? "strict" : "on"],
                                     environment: environment, passedFile: nil, timeout: timeout)
        let outcome: OneShotOutcome
        do {
            outcome = try OneShotRun.run(request)
        } catch {
            throw CallFailure(.exit, "cannot start the worker \(workerPath): \(error)",
                              hint: "reinstall wfhost, or set WFHOST_WORKER to the worker's path")
        }
        guard case .exited(0) = outcome.termination, !outcome.timedOut,
              let report = try? JSONValue.parse(outcome.events) else {
            let stderr = outcome.stderr.text.split(separator: "\n").suffix(3).joined(separator: " | ")
            throw CallFailure(.exit, "the worker's sandbox probe \(outcome.timedOut ? "timed out" : "ended: \(outcome.termination)")"
                                  + (stderr.isEmpty ? "" : "; stderr: \(stderr)"),
                              hint: "a runtime library of the worker may be missing: run `ldd \(workerPath)`")
        }
        if report["ok"]?.boolValue != true {
            throw CallFailure(.sandboxDenied, report["message"]?.stringValue ?? "the sandbox could not be entered",
                              hint: strict ? "run without --sandbox strict to use the layers this machine has" : nil)
        }
        return SandboxReport(status: report["sandbox"]?.stringValue ?? "off", layers: report["layers"] ?? .null,
                             missing: report["missing"]?.stringValue ?? "")
    }
}
