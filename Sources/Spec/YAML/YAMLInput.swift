#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CYaml

/// `read(2)`, named after the call so that it cannot be confused with methods called `read`.
private func system_read(_ fd: Int32, _ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int {
    read(fd, buffer, count)
}

/// Feeds libyaml from a file descriptor or a byte array, enforcing the size limits and checking UTF-8 as it goes.
///
/// libyaml reads through ``readHandler``; when a limit is crossed the handler records why and returns failure,
/// which makes libyaml stop with a reader error that ``YAMLLoader`` replaces with the recorded reason.
final class YAMLInput {
    enum Source {
        case descriptor(Int32)
        case bytes([UInt8])
    }

    enum Abort {
        case documentTooLarge
        case scalarTooLarge(line: Int, column: Int)
        case notUTF8(line: Int, column: Int, utf16BOM: Bool)
        case readFailed(errno: Int32)
    }

    private let source: Source
    private var offset = 0
    private let limits: LoadLimits
    let parser: UnsafeMutablePointer<yaml_parser_t>
    private(set) var abort: Abort?
    private(set) var bytesRead = 0

    /// Where the last event ended, as a byte index and a 1-based line and column.
    var lastEventEnd = 0
    var lastEventLine = 1
    var lastEventColumn = 1

    // UTF-8 validation state across reads.
    private var pendingContinuations = 0
    private var secondByteRange: ClosedRange<UInt8> = 0x80...0xBF
    private var line = 1
    private var column = 1

    init(source: Source, limits: LoadLimits, parser: UnsafeMutablePointer<yaml_parser_t>) {
        self.source = source
        self.limits = limits
        self.parser = parser
    }

    fileprivate func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int,
                      sizeRead: UnsafeMutablePointer<Int>) -> Bool {
        sizeRead.pointee = 0
        // A token that has run on for more than the scalar limit since the last event: stop before reading more.
        let scanned = Int(parser.pointee.mark.index)
        if scanned - lastEventEnd > limits.maxScalarBytes {
            abort = .scalarTooLarge(line: lastEventLine, column: lastEventColumn)
            return false
        }
        var count = 0
        switch source {
        case .bytes(let bytes):
            count = min(capacity, bytes.count - offset)
            if count > 0 {
                bytes.withUnsafeBufferPointer { all in
                    if let base = all.baseAddress {
                        buffer.update(from: base + offset, count: count)
                    }
                }
                offset += count
            }
        case .descriptor(let fd):
            while true {
                let n = system_read(fd, buffer, capacity)
                if n >= 0 { count = n; break }
                if errno == EINTR { continue }
                abort = .readFailed(errno: errno)
                return false
            }
        }
        bytesRead += count
        if bytesRead > limits.maxDocumentBytes {
            abort = .documentTooLarge
            return false
        }
        if !validateUTF8(UnsafeBufferPointer(start: buffer, count: count)) {
            return false
        }
        sizeRead.pointee = count
        return true
    }

    /// Checks a chunk as a continuation of the bytes before it; records the first bad byte's line and column.
    private func validateUTF8(_ chunk: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in chunk {
            if pendingContinuations > 0 {
                guard secondByteRange.contains(byte) else { return fail() }
                secondByteRange = 0x80...0xBF
                pendingContinuations -= 1
                continue
            }
            if byte < 0x80 {
                if byte == 0x0A { line += 1; column = 1 } else { column += 1 }
                continue
            }
            column += 1
            switch byte {
            case 0xC2...0xDF: pendingContinuations = 1
            case 0xE0: pendingContinuations = 2; secondByteRange = 0xA0...0xBF
            case 0xE1...0xEC, 0xEE...0xEF: pendingContinuations = 2
            case 0xED: pendingContinuations = 2; secondByteRange = 0x80...0x9F
            case 0xF0: pendingContinuations = 3; secondByteRange = 0x90...0xBF
            case 0xF1...0xF3: pendingContinuations = 3
            case 0xF4: pendingContinuations = 3; secondByteRange = 0x80...0x8F
            default:
                let bom = (byte == 0xFE || byte == 0xFF) && line == 1 && column == 2
                column -= 1
                abort = .notUTF8(line: line, column: column, utf16BOM: bom)
                return false
            }
        }
        return true
    }

    private func fail() -> Bool {
        abort = .notUTF8(line: line, column: max(1, column - 1), utf16BOM: false)
        return false
    }

    /// Called once libyaml has consumed everything: a file that ends inside a multi-byte sequence is not UTF-8.
    var endsInsideSequence: (line: Int, column: Int)? {
        pendingContinuations > 0 ? (line, max(1, column - 1)) : nil
    }
}

/// libyaml's read callback: `data` is the ``YAMLInput`` the parser was given.
func yamlReadHandler(_ data: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<UInt8>?, _ size: Int,
                     _ sizeRead: UnsafeMutablePointer<Int>?) -> Int32 {
    guard let data, let buffer, let sizeRead else { return 0 }
    let input = Unmanaged<YAMLInput>.fromOpaque(data).takeUnretainedValue()
    return input.read(into: buffer, capacity: size, sizeRead: sizeRead) ? 1 : 0
}
