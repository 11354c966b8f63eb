import Foundation
import Schema

/// Receives the run's events (already masked). Called from several threads: implementations synchronize.
public protocol RunEventSink: Sendable {
    func emit(_ event: RunEvent)
}

/// Fans events out to several sinks.
public struct CombinedSink: RunEventSink {
    public var sinks: [any RunEventSink]
    public init(_ sinks: [any RunEventSink]) { self.sinks = sinks }
    public func emit(_ event: RunEvent) { for sink in sinks { sink.emit(event) } }
}

/// Collects events in memory (tests, the Swift API).
public final class EventRecorder: RunEventSink, @unchecked Sendable {
    // @unchecked: `events` is guarded by `lock`.
    private let lock = NSLock()
    private var stored: [RunEvent] = []
    public init() {}
    public func emit(_ event: RunEvent) { lock.withLock { stored.append(event) } }
    public var events: [RunEvent] { lock.withLock { stored } }
}

/// Writes one JSON object per line (`--events FILE|-`).
public final class JSONLinesSink: RunEventSink, @unchecked Sendable {
    // @unchecked: writes are serialized by `lock`.
    private let lock = NSLock()
    private let handle: FileHandle
    private var broken = false
    public init(handle: FileHandle) { self.handle = handle }
    public func emit(_ event: RunEvent) {
        var object = event.json.objectValue ?? JSONObject()
        object["at"] = .double((Date().timeIntervalSince1970 * 1000).rounded() / 1000)
        let line = JSONValue.object(object).serialized() + "\n"
        lock.withLock {
            guard !broken else { return }
            do {
                try handle.write(contentsOf: Data(line.utf8))
            } catch {
                broken = true // a closed pipe or a full disk ends the stream, never the run
            }
        }
    }
}
