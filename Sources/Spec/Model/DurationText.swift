/// Durations as workflow files write them: `250ms`, `30s`, `5m`, `1h30m`, `1.5s`, or a plain number of seconds.
public enum DurationText {
    /// Parses `text`; returns nil when it is not a duration. Units: `ms`, `s`, `m`, `h`, `d`, each at most once,
    /// largest first.
    public static func parse(_ text: String) -> Duration? {
        guard let ms = totalMilliseconds(text), ms < 1e15 else { return nil }
        return .milliseconds(Int64(ms.rounded()))
    }

    /// Whether `text` is written as a duration but is too long to hold (more than about 31,000 years): callers
    /// report it as out of range rather than as not a duration.
    public static func isTooLong(_ text: String) -> Bool {
        guard let ms = totalMilliseconds(text) else { return false }
        return !(ms < 1e15)
    }

    /// The milliseconds `text` writes (possibly infinite), or nil when it is not written as a duration.
    static func totalMilliseconds(_ text: String) -> Double? {
        var bytes = Array(text.utf8)[...]
        guard !bytes.isEmpty else { return nil }
        if bytes.allSatisfy({ isDigit($0) || $0 == UInt8(ascii: ".") }) {
            guard let seconds = Double(text), !seconds.isNaN else { return nil }
            return seconds * 1000
        }
        var total: Double = 0
        var lastRank = Int.max
        while !bytes.isEmpty {
            let numberLength = bytes.prefix { isDigit($0) || $0 == UInt8(ascii: ".") }.count
            guard numberLength > 0,
                  let value = Double(String(decoding: bytes.prefix(numberLength), as: UTF8.self)) else { return nil }
            bytes = bytes.dropFirst(numberLength)
            let unitLength = bytes.prefix { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) }.count
            let unit = String(decoding: bytes.prefix(unitLength), as: UTF8.self)
            bytes = bytes.dropFirst(unitLength)
            let (rank, factor): (Int, Double)
            switch unit {
            case "d": (rank, factor) = (4, 86_400_000)
            case "h": (rank, factor) = (3, 3_600_000)
            case "m": (rank, factor) = (2, 60_000)
            case "s": (rank, factor) = (1, 1000)
            case "ms": (rank, factor) = (0, 1)
            default: return nil
            }
            guard rank < lastRank else { return nil }
            lastRank = rank
            total += value * factor
        }
        return total.isNaN ? nil : total
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Whole milliseconds in `duration`.
    public static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// The shortest text that parses back to `duration`: `1h30m`, `250ms`, `0s`.
    public static func format(_ duration: Duration) -> String {
        var ms = milliseconds(duration)
        if ms == 0 { return "0s" }
        var text = ""
        for (unit, size) in [("h", Int64(3_600_000)), ("m", 60_000), ("s", 1000), ("ms", 1)] where ms >= size {
            text += "\(ms / size)\(unit)"
            ms %= size
        }
        return text
    }
}
