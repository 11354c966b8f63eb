#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Isolation
import Schema
import Testing
import WfhostTestSupport

/// The hostile plugin (Fixtures/hostile.c): one escape per tool, each asserted refused (with the errno in the
/// test's name) or killed. These hold where the machine offers every layer (namespaces, Landlock, seccomp); a
/// machine without one fails them, which is what `wfhost doctor` would say.
extension IsolationTests {
    @Suite struct HostileTests {
        let env: Env
        let hostPID = getpid()

        init() throws {
            env = try Env("hostile", fixtures: [("hostile.c", "evil.so", [])])
        }

        /// What an attempt reported: {"rc", "errno", "data"}.
        struct Attempt { var rc: Int; var errno: Int32; var data: String }

        func attempt(_ tool: String, n: Int = 0, text: String = "", mode: IsolationMode = .perCall,
                     workDirectory: String? = nil) async throws -> Attempt {
            let args = JSONValue.object(["n": .int(Int64(n)), "text": .string(text)]).serialized()
            let s = try await env.success("evil." + tool, args, mode: mode, workDirectory: workDirectory)
            return Attempt(rc: s.result["rc"]?.intValue ?? -999, errno: Int32(s.result["errno"]?.intValue ?? -1),
                           data: s.result["data"]?.stringValue ?? "")
        }

        func expectRefused(_ tool: String, n: Int = 0, text: String = "", errno expected: [Int32],
                           sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let a = try await attempt(tool, n: n, text: text)
            #expect(a.rc == -1, "\(tool) succeeded: \(a)", sourceLocation: sourceLocation)
            #expect(expected.contains(a.errno), "\(tool): errno \(a.errno), expected one of \(expected)",
                    sourceLocation: sourceLocation)
        }

        // MARK: network

        /// A UDP listener on 127.0.0.1 that must receive nothing.
        final class UDPListener {
            let fd: CInt
            let port: Int
            init() throws {
                let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
                self.fd = fd
                var addr = sockaddr_in()
                addr.sin_family = sa_family_t(AF_INET)
                addr.sin_addr.s_addr = inet_addr("127.0.0.1")
                var len = socklen_t(MemoryLayout<sockaddr_in>.size)
                let bound = withUnsafeMutablePointer(to: &addr) { p in
                    p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
                }
                guard bound else { throw Iso.Failure(description: "cannot bind a UDP listener") }
                port = Int(UInt16(bigEndian: addr.sin_port))
            }
            deinit { close(fd) }
            var received: Int {
                var buffer = [UInt8](repeating: 0, count: 64)
                return recv(fd, &buffer, buffer.count, 0) > 0 ? 1 : 0
            }
        }

        @Test func udpThroughTheNativeSocketCallIsEACCES() async throws {
            let listener = try UDPListener()
            try await expectRefused("udp_native", n: listener.port, errno: [EACCES])
            #expect(listener.received == 0)
        }

        @Test func udpThroughTheI386ABIKillsTheWorkerWithSIGSYS() async throws {
            let listener = try UDPListener()
            let f = try await env.failure("evil.udp_i386", #"{"n":\#(listener.port)}"#)
            #expect(f.failureClass == .crash)
            #expect(f.signal?.rawValue == SIGSYS, "\(f)")
            #expect(listener.received == 0)
        }

        @Test func aSyscallThroughTheX32ABIKillsTheWorkerWithSIGSYS() async throws {
            let f = try await env.failure("evil.x32_syscall")
            #expect(f.failureClass == .crash)
            #expect(f.signal?.rawValue == SIGSYS, "\(f)")
        }

        @Test func ioUringSetupIsEPERM() async throws {
            try await expectRefused("io_uring", errno: [EPERM])
        }

        @Test func tcpToLoopbackIsEACCES() async throws {
            try await expectRefused("tcp_connect", n: 9, errno: [EACCES])
        }

        @Test func netlinkSocketsAreEACCES() async throws {
            try await expectRefused("netlink", errno: [EACCES])
        }

        @Test func packetSocketsAreEACCES() async throws {
            try await expectRefused("packet_socket", errno: [EACCES])
        }

        @Test func anAbstractUnixSocketOutsideIsECONNREFUSEDOrEPERM() async throws {
            let name = "wfhost-test-\(getpid())-abstract"
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(name.utf8)
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                for (i, b) in bytes.enumerated() { raw[i + 1] = b }
            }
            let len = socklen_t(MemoryLayout<sa_family_t>.size + 1 + bytes.count)
            let ok = withUnsafePointer(to: &addr) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && listen(fd, 1) == 0 }
            }
            #expect(ok)
            // Abstract sockets belong to the network namespace (and Landlock ABI 6 scopes them): unreachable.
            try await expectRefused("abstract_unix", text: name, errno: [ECONNREFUSED, EPERM])
        }

        @Test func aPathUnixSocketOutsideIsENOENT() async throws {
            let path = env.dir + "/listener.sock"
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd); unlink(path) }
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                for (i, b) in path.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
            }
            let ok = withUnsafePointer(to: &addr) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 && listen(fd, 1) == 0
                }
            }
            #expect(ok)
            try await expectRefused("path_unix", text: path, errno: [ENOENT])
        }

        // MARK: the host, its state and the user's secrets

        @Test func theHostsEnvironInProcIsENOENT() async throws {
            try await expectRefused("read_path", text: "/proc/\(hostPID)/environ", errno: [ENOENT])
            try await expectRefused("read_path", text: "/proc/\(hostPID)/cmdline", errno: [ENOENT])
        }

        @Test func procShowsOnlyTheSandboxsOwnTwoProcesses() async throws {
            let a = try await attempt("count_processes")
            #expect(a.rc == 2, "visible: \(a.data)")
            #expect(a.data == "1 2 ")
        }

        /// /etc/shadow (and /etc/gshadow) are masked by a device node on a nodev mount: opening them fails.
        @Test(arguments: ["/etc/shadow", "/etc/gshadow"])
        func etcShadowIsEACCES(path: String) async throws {
            try await expectRefused("read_path", text: path, errno: [EACCES, ENOENT])
        }

        @Test func theStateDatabaseIsENOENT() async throws {
            try await expectRefused("read_path", text: env.host.configuration.databasePath, errno: [ENOENT])
        }

        @Test func aCredentialStoreOfTheUsersHomeIsHidden() async throws {
            // The Env's HOME is its state directory; give it a ~/.ssh key outside the sandbox's reach.
            let ssh = env.state + "/.ssh"
            try FileManager.default.createDirectory(atPath: ssh, withIntermediateDirectories: true)
            try Data("PRIVATE".utf8).write(to: URL(fileURLWithPath: ssh + "/id_ed25519"))
            try await expectRefused("read_path", text: ssh + "/id_ed25519", errno: [ENOENT])
        }

        @Test func noCapabilityIsLeft() async throws {
            let a = try await attempt("capabilities")
            for set in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
                #expect(a.data.contains("\(set):.0000000000000000"), "\(set) in \(a.data)")
            }
        }

        // MARK: files outside the writable paths

        @Test func chmodOfASystemFileIsEROFS() async throws {
            try await expectRefused("chmod_path", text: "/etc/passwd", errno: [EROFS])
        }

        @Test func chmodOfThePluginFileIsEROFS() async throws {
            try await expectRefused("chmod_path", text: env.plugins + "/evil.so", errno: [EROFS])
        }

        @Test func chownOfASystemFileIsEROFS() async throws {
            try await expectRefused("chown_path", text: "/etc/passwd", errno: [EROFS, EPERM])
        }

        @Test func truncateOfASystemFileIsEROFS() async throws {
            try await expectRefused("truncate_path", text: "/etc/passwd", errno: [EROFS])
        }

        @Test func renameOfASystemFileIntoTheWorkDirectoryIsEXDEV() async throws {
            try await expectRefused("rename_path", text: "/etc/passwd", errno: [EXDEV, EROFS])
        }

        @Test func aHardLinkOfASystemFileIntoTheWorkDirectoryIsEXDEV() async throws {
            try await expectRefused("hardlink_path", text: "/etc/passwd", errno: [EXDEV, EPERM])
        }

        // MARK: processes and the kernel

        @Test func ptraceIsEPERM() async throws {
            try await expectRefused("ptrace_pid", n: 1, errno: [EPERM])
        }

        @Test func processVmReadvIsEPERM() async throws {
            try await expectRefused("vm_read", n: 1, errno: [EPERM])
        }

        @Test func killingTheHostIsESRCH() async throws {
            try await expectRefused("kill_pid", n: Int(hostPID), errno: [ESRCH])
        }

        @Test func unshareIsEPERM() async throws {
            try await expectRefused("unshare_user", errno: [EPERM])
        }

        @Test func mountIsEPERM() async throws {
            try await expectRefused("mount_tmpfs", errno: [EPERM])
        }

        @Test func raisingTheMemoryLimitIsEPERM() async throws {
            try await expectRefused("raise_rlimit", errno: [EPERM])
        }

        // MARK: the wire protocol

        @Test func programsTheToolRunsHaveNoProtocolFds() async throws {
            let a = try await attempt("inherited_fds")
            #expect(a.rc == 7, "a program the tool ran wrote to fd 3 or 4 (exit \(a.rc))")
        }

        @Test(arguments: [IsolationMode.perCall, .pooled, .forked])
        func aFrameForgedByAChildIsAProtocolFailure(mode: IsolationMode) async throws {
            switch try await env.call("evil.forged_frame", #"{"n":0}"#, mode: mode) {
            case .success(let s):
                Issue.record("the forged frame was accepted: \(s.result.serialized())")
            case .failure(let f):
                #expect(f.failureClass == .protocol)
                #expect(f.message.hasPrefix("the worker sent a frame for call 0 during call "), "\(f.message)")
                #expect(f.hint == "a process the tool started, or a late reply of an earlier call, wrote to the "
                            + "protocol channel; the worker was retired")
            }
            // The next call gets a fresh worker and its own result.
            let s = try await env.success("echo", #"{"message":"after"}"#, mode: mode)
            #expect(s.result["message"]?.stringValue == "after")
        }

        // MARK: daemons

        /// Whether the file at `path` stopped growing within `seconds` (two reads 100 ms apart agree).
        func heartbeatStops(_ path: String, within seconds: Double) -> Bool {
            func size() -> Int { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
            return Iso.poll(seconds: seconds) {
                let before = size()
                var ts = timespec(tv_sec: 0, tv_nsec: 100_000_000)
                nanosleep(&ts, nil)
                return size() == before
            }
        }

        @Test(arguments: ["daemon_setsid", "daemon_double_fork", "daemon_clone_parent"],
              [IsolationMode.perCall, .pooled, .forked])
        func aDaemonIsGoneWithin1sOfTheCallsEnd(tool: String, mode: IsolationMode) async throws {
            let work = try env.workDirectory()
            let beat = work + "/beat"
            _ = try await attempt(tool, text: beat, mode: mode, workDirectory: work)
            #expect(heartbeatStops(beat, within: 1.0), "\(tool) left a process running after the call")
        }

        @Test func aDaemonIsGoneWithin1sOfATimeout() async throws {
            let work = try env.workDirectory()
            let beat = work + "/beat"
            switch try await env.call("evil.daemon_then_hang", #"{"text":"\#(beat)"}"#,
                                      limits: { $0.timeout = .milliseconds(500); $0.grace = .milliseconds(100) },
                                      workDirectory: work) {
            case .success: Issue.record("the hang succeeded")
            case .failure(let f): #expect(f.failureClass == .timeout)
            }
            #expect(heartbeatStops(beat, within: 1.0))
        }

        @Test func aDaemonIsGoneWithin1sOfACrash() async throws {
            let work = try env.workDirectory()
            let beat = work + "/beat"
            switch try await env.call("evil.daemon_then_crash", #"{"text":"\#(beat)"}"#, workDirectory: work) {
            case .success: Issue.record("the crash succeeded")
            case .failure(let f):
                #expect(f.failureClass == .crash)
                #expect(f.signal == Signal(rawValue: SIGSEGV))
            }
            #expect(heartbeatStops(beat, within: 1.0))
        }

        @Test func aDaemonIsGoneWithin1sOfTheHostsSIGKILL() throws {
            let host = Process()
            host.executableURL = URL(fileURLWithPath: TestSupport.wfhost)
            // "beat" is relative: the daemon writes it in the call's work directory (cwd), under the state dir.
            host.arguments = ["call", "evil.daemon_then_hang", "--args", #"{"text":"beat"}"#, "--timeout", "60s"]
            host.environment = env.environment
            host.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            host.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try host.run()
            var beat: String?
            let beating = Iso.poll(seconds: 10) {
                let work = env.state + "/work"
                for dir in (try? FileManager.default.contentsOfDirectory(atPath: work)) ?? [] {
                    let path = work + "/" + dir + "/beat"
                    if ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) > 0 {
                        beat = path
                        return true
                    }
                }
                return false
            }
            #expect(beating, "the daemon never started")
            #expect(kill(host.processIdentifier, SIGKILL) == 0)
            host.waitUntilExit()
            if let beat { #expect(heartbeatStops(beat, within: 1.0), "the tool's daemon outlived the host's SIGKILL") }
        }

        // MARK: the host's own limits and classes

        @Test func anIgnoredResultRefusalIsStillAProtocolFailure() async throws {
            let f = try await env.failure("evil.ignore_too_large", #"{"n":5000}"#) { $0.maxResultBytes = 1000 }
            #expect(f.failureClass == .protocol)
            #expect(f.message == "the result of 5015 bytes exceeds the limit of 1000 bytes")
        }

        @Test(arguments: ["sandbox_denied", "crash", "timeout", "cancelled", "protocol", "exit"])
        func aToolCannotClaimAHostClass(code: String) async throws {
            let f = try await env.failure("evil.claim_class", #"{"text":"\#(code)"}"#)
            #expect(f.failureClass == .toolError)
            #expect(f.toolCode == code)
            #expect(f.message == "it was not me")
        }

        @Test func terminalEscapesInLogsAndMessagesAreEscaped() async throws {
            let logs = LogBox()
            let outcome = try await env.call("evil.escapes", onEvent: { event in
                if case .log(_, let message) = event { logs.append(message) }
            })
            guard case .failure(let f) = outcome else { Issue.record("escapes succeeded"); return }
            #expect(f.message == "bad\\u{1b}[31m red")
            #expect(logs.all == ["\\u{1b}[2J\\u{1b}]0;pwned\\u{7}cleared"])
            #expect(!f.message.unicodeScalars.contains { $0.value == 0x1b })
        }
    }

    /// The scanner runs plugin constructors under the same sandbox as calls.
    @Suite struct ScannerSandboxTests {
        @Test func aConstructorSeesNoEnvironmentNoNetworkAndNoWritablePath() throws {
            let outside = try TestSupport.temporaryDirectory("iso-probe-outside")
            let env = try Env("probe", fixtures: [("probe.c", "probe.so", ["PROBE_DIR=\"\(outside)\""])])
            let record = env.snapshot.records.first { $0.descriptor?.name == "probe" }
            let text = record?.descriptor?.description ?? "(not scanned: \(String(describing: record?.failure)))"
            // Only the scrubbed environment every worker gets (no WFHOST_STATE_DIR, no plugin path, ...).
            let names = text.components(separatedBy: " env=").last?.components(separatedBy: " ").first?
                .split(separator: ",").map(String.init) ?? []
            let allowed: Set = ["PATH", "LANG", "LC_ALL", "TZ", "HOME", "TMPDIR", "SWIFT_BACKTRACE",
                                "WFHOST_PARENT_PID", "WFHOST_USER_HOME"]
            #expect(!names.isEmpty && Set(names).isSubset(of: allowed), "\(text)")
            #expect(text.contains(" inet=no "), "\(text)")
            #expect(text.hasSuffix(" writable="), "\(text)")
        }
    }
}

/// Log lines collected from a call's events.
final class LogBox: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
