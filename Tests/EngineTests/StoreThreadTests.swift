import Foundation
import SQLite
import Store
import Testing
import WfhostTestSupport

/// The store's thread (`StoreThread`) over a real SQLite file: order, group commit, what `after` and `sync` wait
/// for, and a write that cannot be made.
@Suite struct StoreThreadTests {
    static func store(_ label: String) throws -> (SQLiteSessionStore, String) {
        let dir = try TestSupport.temporaryDirectory(label)
        let path = dir + "/wfhost.sqlite3"
        let store = try SQLiteSessionStore(database: try SQLiteDatabase(path: path))
        let session = SessionRecord(id: "s", workflowName: "w", workflowFile: "w.yaml", workflowText: "", status: .running,
                                    variables: "{}", options: "{}", createdAt: 0)
        try store.createSession(session, stages: (0..<200).map { StageRecord(stage: "s\($0)", position: $0) })
        return (store, path)
    }

    @Test func queuedWritesShareCommitsKeepTheirOrderAndAreDurableAtSync() async throws {
        let (store, path) = try Self.store("store-thread-group")
        let thread = StoreThread(store)
        defer { thread.close() }
        for n in 0..<200 {
            var stage = StageRecord(stage: "s\(n)", position: n, status: .succeeded, attempts: 1)
            stage.output = "{\"n\":\(n)}"
            let row = stage
            thread.write("stage 's\(n)'") {
                try $0.recordStage("s", row, event: ("stage_finished", "{\"n\":\(n)}"), at: Double(n))
            }
        }
        #expect(await thread.sync() == nil)
        // Another connection (another process would see the same) reads every row: committed, not just queued.
        let other = try SQLiteSessionStore(database: try SQLiteDatabase(path: path))
        #expect(try other.stages(of: "s").allSatisfy { $0.status == .succeeded })
        let events = try other.events(of: "s", after: 0)
        #expect(events.map(\.data) == (0..<200).map { "{\"n\":\($0)}" })
        #expect(events.map(\.at) == (0..<200).map(Double.init), "each event keeps the time it was queued with")
        #expect(thread.commits >= 1 && thread.commits < 200, "\(thread.commits) commits for 200 queued writes")
    }

    @Test func afterRunsOnlyOnceWhatWasQueuedBeforeIsCommitted() async throws {
        let (store, path) = try Self.store("store-thread-after")
        let thread = StoreThread(store)
        defer { thread.close() }
        let seen = Seen()
        var stage = StageRecord(stage: "s7", position: 7, status: .failed, attempts: 2)
        stage.errorMessage = "boom"
        let row = stage
        thread.write("stage 's7'") { try $0.recordStage("s", row, event: nil, at: nil) }
        thread.after {
            let other = try? SQLiteSessionStore(database: try SQLiteDatabase(path: path))
            seen.set(try? other?.stages(of: "s").first { $0.stage == "s7" }?.status)
        }
        _ = await thread.sync()
        #expect(seen.value == .failed)
    }

    @Test func aWriteThatFailsStopsTheLaterOnesAndIsReported() async throws {
        let (store, _) = try Self.store("store-thread-fail")
        let thread = StoreThread(store)
        defer { thread.close() }
        let reported = Seen()
        thread.onFailure { _ in reported.set(.failed) }
        thread.write("a row of a table that is not there") { store in
            guard let sqlite = store as? SQLiteSessionStore else { return }
            try sqlite.db.query("INSERT INTO no_such_table VALUES (1)")
        }
        var later = StageRecord(stage: "s1", position: 1, status: .succeeded, attempts: 1)
        later.output = "{}"
        let row = later
        thread.write("stage 's1'") { try $0.recordStage("s", row, event: nil, at: nil) }
        let failure = await thread.sync()
        #expect(failure?.what == "a row of a table that is not there")
        #expect(failure?.description.hasPrefix("cannot write a row of a table that is not there to the state database: "
                                              + "SQLite error 1: no such table: no_such_table") == true, "\(String(describing: failure))")
        #expect(reported.value == .failed)
        thread.write("stage 's1'") { try $0.recordStage("s", row, event: nil, at: nil) }
        _ = await thread.sync()
        #expect(try store.stages(of: "s").first { $0.stage == "s1" }?.status == .pending,
                "nothing is written after a write that failed")
    }

    @Test func aReadAfterCloseThrowsAndSyncReturns() async throws {
        let (store, _) = try Self.store("store-thread-closed")
        let thread = StoreThread(store)
        #expect(try await thread.read { try $0.session("s")?.status } == .running)
        thread.close()
        #expect(await thread.sync() == nil)
        await #expect(throws: StoreThreadClosed.self) { try await thread.read { try $0.session("s") } }
    }
}

/// A value set on the store's thread and read by the test.
final class Seen: @unchecked Sendable {
    // @unchecked: `stored` is guarded by `lock`.
    private let lock = NSLock()
    private var stored: StageStatus?
    func set(_ value: StageStatus?) { lock.withLock { stored = value } }
    var value: StageStatus? { lock.withLock { stored } }
}
