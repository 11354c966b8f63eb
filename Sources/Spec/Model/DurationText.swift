/// Durations as workflow files write them: `250ms`, `30s`, `5m`, `1h30m`, `1.5s`, or a plain number of seconds.
public enum DurationText {
    /// Parses `text`; returns nil when it is not a duration. Units: `ms`, `s`, `m`, `h`, `d`, each at most once,
    /// largest first.
    public static func parse(_ text: String) -> Duration? {
        if let seconds = Double(text), seconds.isFinite, isPlainNumber(text) {
            return seconds < 0 ? nil : .milliseconds(Int64((seconds * 1000).rounded()))
        }
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        var total: Double = 0
        var lastRank = Int.max
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
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
        guard total.isFinite, total < 1e15 else { return nil }
        return .milliseconds(Int64(total.rounded()))
    }

    private static func isPlainNumber(_ text: String) -> Bool {
        text.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") } && text.contains(where: \.isNumber)
    }

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
