#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import MCP

/// The stdio transport: newline-delimited JSON-RPC on two descriptors, with a blocking read on a thread of its own.
/// The SDK's `StdioTransport` makes both descriptors non-blocking and polls every 10 ms, which costs up to 10 ms per
/// request and 100 wake-ups a second while idle; this one sleeps in `read` until a byte arrives.
actor LineTransport: Transport {
    /// The longest message accepted by default; a longer line is dropped with an error in the log (the client gets
    /// no reply).
    static let defaultMaxMessageBytes = 64 << 20

    nonisolated let logger: Logger
    private let input: CInt
    private let output: CInt
    private let maxMessageBytes: Int
    private let stream: AsyncThrowingStream<Data, Swift.Error>
    private let continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation
    private var connected = false

    init(input: CInt, output: CInt, logger: Logger, maxMessageBytes: Int = defaultMaxMessageBytes) {
        self.input = input
        self.output = output
        self.maxMessageBytes = maxMessageBytes
        self.logger = logger
        (stream, continuation) = AsyncThrowingStream.makeStream(of: Data.self)
    }

    func connect() async throws {
        guard !connected else { return }
        connected = true
        for fd in [input, output] {
            let flags = fcntl(fd, F_GETFL)
            if flags >= 0, flags & O_NONBLOCK != 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        }
        let fd = input, continuation = self.continuation, logger = self.logger, limit = maxMessageBytes
        let reader = Thread { Self.readLines(fd: fd, limit: limit, into: continuation, logger: logger) }
        reader.name = "mcp-stdin"
        reader.start()
    }

    /// Reads `fd` to its end, yielding each non-empty line (without its `\n` or `\r\n`; the last one may lack it).
    private static func readLines(fd: CInt, limit maxMessageBytes: Int, into continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation,
                                  logger: Logger) {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var pending: [UInt8] = []
        var discarding = false
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 {
                logger.error("reading stdin failed: \(String(cString: strerror(errno)))")
                break
            }
            if n == 0 {
                // A last message the client ended with EOF instead of a newline still counts.
                if !discarding, pending.last == UInt8(ascii: "\r") { pending.removeLast() }
                if !discarding, !pending.isEmpty { continuation.yield(Data(pending)) }
                break
            }
            var start = 0
            for i in 0..<n where buffer[i] == UInt8(ascii: "\n") {
                if !discarding {
                    pending.append(contentsOf: buffer[start..<i])
                    if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
                    if !pending.isEmpty { continuation.yield(Data(pending)) }
                }
                pending.removeAll(keepingCapacity: true)
                discarding = false
                start = i + 1
            }
            if !discarding { pending.append(contentsOf: buffer[start..<n]) }
            if pending.count > maxMessageBytes {
                logger.error("dropped a message longer than \(maxMessageBytes) bytes")
                pending.removeAll()
                discarding = true
            }
        }
        continuation.finish()
    }

    func disconnect() async {
        guard connected else { return }
        connected = false
        continuation.finish()
    }

    /// Writes `data` and a newline, retrying short writes and EINTR.
    /// - Throws: `MCPError.transportError` when the write fails (the client closed its end: EPIPE).
    func send(_ data: Data) async throws {
        var message = data
        message.append(UInt8(ascii: "\n"))
        try message.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws in
            var offset = 0
            while offset < bytes.count {
                let n = write(output, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw MCPError.transportError(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
                }
                offset += n
            }
        }
    }

    nonisolated func receive() -> AsyncThrowingStream<Data, Swift.Error> { stream }
}
