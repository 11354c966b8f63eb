#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// One line of `/proc/PID/stat`: what the tests need to find children, groups and zombies.
struct ProcessEntry: CustomStringConvertible {
    var pid: Int32
    var command: String
    var state: Character
    var ppid: Int32
    var pgrp: Int32

    var description: String { "\(pid) (\(command)) state \(state) ppid \(ppid) pgrp \(pgrp)" }

    /// Reads `/proc/PID/stat`; nil when the process is gone.
    init?(pid: Int32) {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), // gone: nil
              let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count >= 3, let state = fields[0].first, let ppid = Int32(fields[1]), let pgrp = Int32(fields[2])
        else { return nil }
        self.pid = pid
        self.command = String(text[text.index(after: open)..<close])
        self.state = state
        self.ppid = ppid
        self.pgrp = pgrp
    }

    /// The command line, arguments joined by spaces.
    var commandLine: String {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return "" }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
    }

    var isZombie: Bool { state == "Z" || state == "X" }
}

enum ProcessTable {
    /// Every process visible in /proc.
    static func all() -> [ProcessEntry] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return names.compactMap { Int32($0) }.compactMap { ProcessEntry(pid: $0) }
    }

    static func children(of parent: Int32 = getpid()) -> [ProcessEntry] {
        all().filter { $0.ppid == parent }
    }

    /// Whether `pid` is still running (a zombie has ended; its parent only has not reaped it yet).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let entry = ProcessEntry(pid: pid) else { return false }
        return !entry.isZombie
    }

    /// Processes whose command line contains `marker`.
    static func matching(_ marker: String) -> [ProcessEntry] {
        all().filter { $0.commandLine.contains(marker) }
    }

    /// The children of `parent` named `wfhost-worker`.
    static func workers(of parent: Int32 = getpid()) -> [ProcessEntry] {
        children(of: parent).filter { $0.command == "wfhost-worker" }
    }

    /// What the isolation layer may leave behind in this test process: worker children, any zombie child, and
    /// any process in a group whose leader was one of this process's workers.
    static func leftovers(groups: Set<Int32> = []) -> [ProcessEntry] {
        let me = getpid()
        return all().filter { p in
            (p.ppid == me && (p.command == "wfhost-worker" || p.isZombie)) || (groups.contains(p.pgrp) && !p.isZombie)
        }
    }
}

/// After every test: no worker child of the test process, no zombie child, nothing left in a worker's process
/// group. Workers are reaped before a call returns, so this holds at once; the short poll only absorbs the
/// kernel's bookkeeping of processes killed an instant ago.
struct NoLeftoverProcesses: TestTrait, SuiteTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let before = Set(ProcessTable.children().map(\.pid))
        try await function()
        guard testCase != nil else { return } // the suite's own scope
        var found: [ProcessEntry] = []
        let clean = Iso.poll(seconds: 3) {
            found = ProcessTable.leftovers().filter { !before.contains($0.pid) || $0.isZombie }
            return found.isEmpty
        }
        #expect(clean, "processes left by \(test.name): \(found)")
    }
}

extension Trait where Self == NoLeftoverProcesses {
    static var noLeftoverProcesses: Self { NoLeftoverProcesses() }
}
