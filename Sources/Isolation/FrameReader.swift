import CSupport

/// Splits the worker's event stream into frames: [u32 length LE][u8 type][u32 call id LE][payload]
/// (Sources/wfhost-worker/frames.h).
struct FrameReader {
    private var buffer: [UInt8] = []
    private var start = 0
    let maxFrame: Int

    struct Frame {
        var type: UInt8
        /// The call the frame belongs to (0 for the ready and load-failure frames).
        var callID: UInt32
        var payload: ArraySlice<UInt8>
    }

    /// Bytes before the payload: length, type, call id.
    static let headerSize = WorkerProtocol.frameHeaderSize

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
        guard buffer.count - start >= Self.headerSize else { return nil }
        let n = Int(Self.u32(buffer, at: start))
        guard n >= Self.headerSize - 4 else { throw .empty }
        guard n <= maxFrame else { throw .oversized(n) }
        guard buffer.count - start >= 4 + n else { return nil }
        let frame = Frame(type: buffer[start + 4], callID: Self.u32(buffer, at: start + 5),
                          payload: buffer[(start + Self.headerSize)..<(start + 4 + n)])
        start += 4 + n
        if start > 1 << 20 {
            buffer.removeFirst(start)
            start = 0
        }
        return frame
    }

    private static func u32(_ bytes: [UInt8], at i: Int) -> UInt32 {
        UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
    }

    private static func le(_ v: UInt32) -> [UInt8] {
        [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)]
    }

    /// Encodes a call request frame: 'C', call id, u32 attempt, tool NUL, work_dir NUL, args.
    static func callFrame(_ request: CallRequest, callID: UInt32, workDirectory: String) -> [UInt8] {
        var payload: [UInt8] = [WorkerProtocol.frame(WFH_FRAME_CALL)] + le(callID) + le(UInt32(clamping: request.attempt))
        payload += Array(request.tool.utf8) + [0] + Array(workDirectory.utf8) + [0] + Array(request.arguments.utf8)
        return le(UInt32(payload.count)) + payload
    }
}
