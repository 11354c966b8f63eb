/// Splits the worker's event stream into frames: [u32 length LE][u8 type][payload] (Sources/wfhost-worker/frames.h).
struct FrameReader {
    private var buffer: [UInt8] = []
    private var start = 0
    let maxFrame: Int

    struct Frame {
        var type: UInt8
        var payload: ArraySlice<UInt8>
    }

    enum ReadError: Error { case oversized(Int), empty }

    init(maxFrame: Int) { self.maxFrame = maxFrame }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, nil when more bytes are needed.
    mutating func next() throws(ReadError) -> Frame? {
        guard buffer.count - start >= 5 else { return nil }
        let n = Int(buffer[start]) | Int(buffer[start + 1]) << 8 | Int(buffer[start + 2]) << 16
            | Int(buffer[start + 3]) << 24
        guard n >= 1 else { throw .empty }
        guard n <= maxFrame else { throw .oversized(n) }
        guard buffer.count - start >= 4 + n else { return nil }
        let frame = Frame(type: buffer[start + 4], payload: buffer[(start + 5)..<(start + 4 + n)])
        start += 4 + n
        if start > 1 << 20 {
            buffer.removeFirst(start)
            start = 0
        }
        return frame
    }

    /// Encodes a call request frame: 'C', u32 attempt, tool NUL, work_dir NUL, args.
    static func callFrame(_ request: CallRequest, workDirectory: String) -> [UInt8] {
        var payload: [UInt8] = [UInt8(ascii: "C")]
        let attempt = UInt32(clamping: request.attempt)
        payload += [UInt8(attempt & 0xff), UInt8(attempt >> 8 & 0xff), UInt8(attempt >> 16 & 0xff), UInt8(attempt >> 24)]
        payload += Array(request.tool.utf8) + [0] + Array(workDirectory.utf8) + [0] + Array(request.arguments.utf8)
        let n = UInt32(payload.count)
        return [UInt8(n & 0xff), UInt8(n >> 8 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 24)] + payload
    }
}
