import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Schema
import Testing
import WfhostTestSupport

/// The store is watched (issue 12, item 7): a state database removed under a running host stops it with exit
/// code 3, and a database SQLite reports as malformed is exit code 3 naming the file, for every command that opens it.
@Suite(.serialized) struct StoreWatchTests {
    @Test func removingTheStateDirectoryMidRunStopsTheHostWithExitCode3() throws {
        let h = try SessionHarness("store-removed")
        defer { h.cleanup() }
        let file = try h.write("slow.yaml", """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: slow}
            spec:
              stages:
                - {name: wait, tools: [{name: sleep, args: {ms: 20000}}]}
                - {name: after, depends_on: [wait], tools: [{name: echo, args: {message: never}}]}
            """)
        let child = try ExitCodeTests.start(h, ["run", file, "--quiet", "--no-sandbox"])
        guard try h.waitForRunningStage("wait") != nil else {
            Issue.record("stage wait never started")
            return
        }
        try FileManager.default.removeItem(atPath: h.state)
        let removedAt = Date()
        let done = child.finish(within: 15)
        #expect(done.status == 3, "\(done.stderr)")
        #expect(Date().timeIntervalSince(removedAt) < 5, "the heartbeat (every second) notices it")
        #expect(done.stderr.contains("""
            wfhost: error: the state database \(h.state)/wfhost.sqlite3 was removed while this host was running; what \
            it records from now on would be lost, so the run stops (exit code 3)
            """), "\(done.stderr)")
        #expect(!done.stderr.contains("succeeded"), "\(done.stderr)")
    }

    @Test func replacingTheDatabaseFileMidRunStopsTheHostWithExitCode3() throws {
        let h = try SessionHarness("store-replaced")
        defer { h.cleanup() }
        let file = try h.write("slow.yaml", """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: slow}
            spec:
              stages:
                - {name: wait, tools: [{name: sleep, args: {ms: 20000}}]}
            """)
        let child = try ExitCodeTests.start(h, ["run", file, "--quiet", "--no-sandbox"])
        guard try h.waitForRunningStage("wait") != nil else {
            Issue.record("stage wait never started")
            return
        }
        // A copy renamed over the path: the same name, another inode.
        let db = h.state + "/wfhost.sqlite3"
        try FileManager.default.copyItem(atPath: db, toPath: db + ".copy")
        #expect(rename(db + ".copy", db) == 0)
        let done = child.finish(within: 15)
        #expect(done.status == 3, "\(done.stderr)")
        #expect(done.stderr.contains("""
            wfhost: error: the state database \(db) was replaced by another file while this host was running; this \
            host still writes to the old file, so the run stops (exit code 3)
            """), "\(done.stderr)")
    }

    /// Writes a page of garbage over page 2 of the database (pages are 4096 bytes).
    static func damage(_ path: String) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        defer { try? handle.close() } // the write below is what the test checks
        try handle.seek(toOffset: 4096)
        try handle.write(contentsOf: Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }))
        try handle.synchronize()
    }

    /// A stored value this version does not know (here a stage status a newer wfhost might write) is an error
    /// naming the value and where it is, exit 3: never a guess such as "pending", which would run the stage again.
    @Test func anUnknownStoredStageStatusIsAnErrorNotAGuess() throws {
        let h = try SessionHarness("store-unknown")
        defer { h.cleanup() }
        let file = try h.write("one.yaml", """
            apiVersion: orchestration/v1
            kind: Workflow
            metadata: {name: one}
            spec:
              stages:
                - {name: only, tools: [{name: echo, args: {message: hi}}]}
            """)
        #expect(try h.wfhost(["run", file, "--quiet"]).status == 0)
        let s = try #require(try h.newestSession())
        let edit = try TestSupport.run("/usr/bin/env", ["python3", "-c", """
            import sqlite3,sys
            c=sqlite3.connect(sys.argv[1]); c.execute("UPDATE stage_runs SET status='hibernating'")
            c.execute("UPDATE sessions SET status='paused'"); c.commit()
            """, h.state + "/wfhost.sqlite3"])
        guard edit.status == 0 else { return } // no python3 with sqlite3 here: nothing to corrupt with
        for args in [["status", s], ["resume", s]] {
            let r = try h.wfhost(args)
            #expect(r.status == 3, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("error: the state database holds stage status 'hibernating' for stage 'only' of "
                                      + "session \(s), which this version of wfhost does not know: a newer wfhost wrote "
                                      + "it, or the file is damaged; run that session with the wfhost that wrote it "
                                      + "(`wfhost --version` says which this one is), or remove it with `wfhost cleanup`"),
                    "\(args): \(r.stderr)")
        }
    }

    @Test func aGarbagePageMakesRunResumeAndSessionsListExit3() throws {
        let h = try SessionHarness("store-damaged")
        defer { h.cleanup() }
        let hello = TestSupport.repoRoot + "/examples/hello.yaml"
        let first = try ExitCodeTests.run(h, ["run", hello, "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        let session = try #require(try h.newestSession())
        let db = h.state + "/wfhost.sqlite3"
        #expect(!FileManager.default.fileExists(atPath: db + "-wal") || ((try? FileManager.default.attributesOfItem(atPath: db + "-wal")[.size] as? Int) ?? 0) == 0,
                "the last connection checkpointed the WAL into the file")
        try Self.damage(db)
        let said = "wfhost: error: the state database \(db) is damaged: SQLite's quick_check reports "
        let hint = "  hint: move the file away (wfhost then starts a new, empty one) or restore it from a backup; "
            + "`sqlite3 FILE .recover` can save what is still readable"
        for args in [["run", hello, "--quiet"], ["resume", session, "--quiet"], ["sessions", "list"]] {
            let r = try ExitCodeTests.run(h, args)
            #expect(r.status == 3, "\(args): \(r.stderr)")
            #expect(r.stderr.hasPrefix(said), "\(args): \(r.stderr)")
            #expect(r.stderr.hasSuffix("\n" + hint + "\n"), "\(args): \(r.stderr)")
            #expect(!r.stdout.contains("succeeded"), "\(args): \(r.stdout)")
        }
    }
}
