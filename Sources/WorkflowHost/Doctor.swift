import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Isolation
import Schema

/// One check of `wfhost doctor`.
public struct DoctorCheck: Sendable, Equatable {
    /// How a check came out: `ok`, `warning` (an optional part is absent, or a sandbox layer outside
    /// `--sandbox strict`) or `missing` (absent; it makes the machine unfit when the check is ``required``).
    public enum Status: String, Sendable { case ok, warning, missing }
    /// What was checked, as `wfhost doctor` prints it: `worker`, `user namespace`, `landlock`, `runtime libraries`,
    /// `state directory`, `plugin path`, ...
    public var name: String
    /// How the check came out.
    public var status: Status
    /// What was found: a path, `in force`, `ABI 4`, the files not found, the number of plugin files.
    public var detail: String
    /// What to do about a warning or a missing part (a package to install, an option to set); nil when ok.
    public var hint: String?
    /// A missing required check makes the machine unfit (exit 3); optional ones only warn.
    public var required: Bool
}

/// What `wfhost doctor` found: every check, the sandbox's layers, and whether the machine can run wfhost.
public struct DoctorReport: Sendable {
    /// Every check, in the order `wfhost doctor` prints them.
    public var checks: [DoctorCheck]
    /// What the worker's sandbox probe reported, layer by layer; nil when no worker was found or the probe failed
    /// (a `sandbox` check then says why).
    public var sandbox: SandboxReport?
    /// No required check is missing.
    public var fit: Bool { !checks.contains { $0.required && $0.status == .missing } }

    /// The `wfhost doctor --json` document: `format_version` 1, `ok` (``fit``), `sandbox` (null without a probe)
    /// and `checks`, each with `name`, `status`, `detail`, `required` and, when there is one, `hint`.
    public var json: JSONValue {
        .object([
            "format_version": .int(1), "ok": .bool(fit),
            "sandbox": sandbox?.json ?? .null,
            "checks": .array(checks.map { c in
                var o: JSONObject = ["name": .string(c.name), "status": .string(c.status.rawValue),
                                     "detail": .string(c.detail), "required": .bool(c.required)]
                if let hint = c.hint { o["hint"] = .string(hint) }
                return .object(o)
            }),
        ])
    }
}

extension WorkflowHost {
    /// The shared libraries the host and the worker load at run time, and the Debian package of each.
    static let runtimeLibraries: [(file: String, package: String, user: String)] = [
        ("libsqlite3.so.0", "libsqlite3-0", "host"), ("libyaml-0.so.2", "libyaml-0-2", "host"),
        ("libffi.so.8", "libffi8", "worker"), ("libseccomp.so.2", "libseccomp2", "worker"),
    ]

    /// Checks the machine: the worker, each sandbox layer, the runtime libraries, the state directory and the
    /// plugin path. With `strictSandbox` every sandbox layer is required (as `--sandbox strict` requires it).
    ///
    /// ```swift
    /// let report = host.doctor()
    /// for check in report.checks { print(check.status.rawValue, check.name, check.detail) }
    /// if !report.fit { exit(3) }
    /// ```
    /// - Parameter strictSandbox: report a missing sandbox layer as `missing` and required, not as a warning.
    /// - Returns: every check; it never throws, a problem is a check that is not `ok`.
    public func doctor(strictSandbox: Bool = false) -> DoctorReport {
        var checks: [DoctorCheck] = []
        var sandbox: SandboxReport? = nil
        // The worker, and through it the sandbox.
        do {
            let worker = try WorkerLocator.workerPath(environment: configuration.environment)
            checks.append(DoctorCheck(name: "worker", status: .ok, detail: worker, required: true))
            do {
                let report = try SandboxReport.probe(workerPath: worker,
                                                    environment: WorkerLocator.workerEnvironment(configuration.environment))
                sandbox = report
                checks += Self.layerChecks(report, strict: strictSandbox)
            } catch {
                checks.append(DoctorCheck(name: "sandbox", status: .missing, detail: error.message, hint: error.hint,
                                          required: true))
            }
        } catch {
            checks.append(DoctorCheck(name: "worker", status: .missing, detail: error.description,
                                      hint: "reinstall wfhost, or set WFHOST_WORKER to the worker's path", required: true))
        }
        // Runtime libraries.
        var absent: [(String, String)] = []
        for lib in Self.runtimeLibraries {
            if let handle = dlopen(lib.file, RTLD_LAZY | RTLD_LOCAL) { dlclose(handle) } else { absent.append((lib.file, lib.package)) }
        }
        checks.append(absent.isEmpty
            ? DoctorCheck(name: "runtime libraries", status: .ok,
                          detail: Self.runtimeLibraries.map(\.file).joined(separator: ", "), required: true)
            : DoctorCheck(name: "runtime libraries", status: .missing,
                          detail: "not found: " + absent.map(\.0).joined(separator: ", "),
                          hint: "install " + absent.map(\.1).joined(separator: " ") + " (apt-get install -y "
                              + absent.map(\.1).joined(separator: " ") + ")", required: true))
        checks.append(stateDirectoryCheck())
        checks.append(pluginPathCheck())
        return DoctorReport(checks: checks, sandbox: sandbox)
    }

    static func layerChecks(_ report: SandboxReport, strict: Bool) -> [DoctorCheck] {
        let l = report.layers
        func layer(_ name: String, _ key: String, hint: String?) -> DoctorCheck {
            let on = l[key]?.boolValue == true
            return DoctorCheck(name: name, status: on ? .ok : (strict ? .missing : .warning),
                               detail: on ? "in force" : "not available: " + (report.missing.isEmpty ? "unknown" : report.missing),
                               hint: on ? nil : hint, required: strict)
        }
        let namespaceHint = "enable unprivileged user namespaces (sysctl user.max_user_namespaces > 0, "
            + "kernel.unprivileged_userns_clone=1; in a container, allow unshare(CLONE_NEWUSER)); without them "
            + "tools run with Landlock, seccomp and rlimits only"
        var checks = [
            layer("user namespace", "user_namespace", hint: namespaceHint),
            layer("pid namespace", "pid_namespace", hint: nil), // one cause, one hint (above)
            layer("mount namespace", "mount_namespace", hint: nil),
            layer("ipc namespace", "ipc_namespace", hint: nil),
            layer("network namespace", "network_namespace", hint: nil),
            layer("no capabilities", "capabilities_dropped", hint: "the worker could not drop its capabilities"),
        ]
        let abi = l["landlock_abi"]?.intValue ?? 0
        checks.append(DoctorCheck(name: "landlock", status: abi > 0 ? .ok : (strict ? .missing : .warning),
                                  detail: abi > 0 ? "ABI \(abi)" : "not in this kernel",
                                  hint: abi > 0 ? nil : "Landlock needs Linux 5.13+ with CONFIG_SECURITY_LANDLOCK and "
                                      + "lsm=landlock on the kernel command line", required: strict))
        checks.append(layer("seccomp", "seccomp", hint: "the kernel lacks seccomp filters (CONFIG_SECCOMP_FILTER)"))
        return checks
    }

    private func stateDirectoryCheck() -> DoctorCheck {
        let dir = configuration.stateDirectory
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let probe = dir + "/.doctor-\(getpid())"
            guard FileManager.default.createFile(atPath: probe, contents: Data()) else {
                return DoctorCheck(name: "state directory", status: .missing, detail: "\(dir) is not writable",
                                   hint: "fix its permissions, or choose another with --state-dir / WFHOST_STATE_DIR",
                                   required: true)
            }
            try? FileManager.default.removeItem(atPath: probe) // our own probe file
            return DoctorCheck(name: "state directory", status: .ok, detail: "\(dir) (writable)", required: true)
        } catch {
            return DoctorCheck(name: "state directory", status: .missing,
                               detail: "cannot create \(dir): \(FileErrorText.describe(error))",
                               hint: "choose another with --state-dir / WFHOST_STATE_DIR", required: true)
        }
    }

    private func pluginPathCheck() -> DoctorCheck {
        let dirs = configuration.searchPath.directories
        let existing = dirs.filter { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &d) && d.boolValue }
        let files = configuration.searchPath.pluginFiles()
        let detail = "\(files.count) plugin file\(files.count == 1 ? "" : "s") in \(existing.count) of \(dirs.count) "
            + "director\(dirs.count == 1 ? "y" : "ies") (" + dirs.joined(separator: ":") + ")"
        return DoctorCheck(name: "plugin path", status: files.isEmpty ? .warning : .ok, detail: detail,
                           hint: files.isEmpty ? "put plugins in one of these directories, or set --plugin-path / "
                               + "WFHOST_PLUGIN_PATH" : nil, required: false)
    }
}
