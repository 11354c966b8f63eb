/// Keeps the last `limit` bytes written to it and counts what it dropped: the captured tail of a child's output.
public struct TailBuffer: Sendable {
    public let limit: Int
    public private(set) var bytes: [UInt8] = []
    public private(set) var droppedBytes = 0

    public init(limit: Int) { self.limit = max(0, limit) }

    public mutating func append(_ chunk: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: chunk)
        if bytes.count > limit {
            let excess = bytes.count - limit
            bytes.removeFirst(excess)
            droppedBytes += excess
        }
    }

    /// The kept bytes as text (invalid UTF-8 repaired), prefixed with a note when earlier output was dropped.
    public var text: String {
        let body = String(decoding: bytes, as: UTF8.self)
        return droppedBytes > 0 ? "[\(droppedBytes) earlier bytes dropped]\n" + body : body
    }
}
