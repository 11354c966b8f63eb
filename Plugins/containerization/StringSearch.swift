/// The few string searches the plugin needs. FoundationEssentials on Linux has no `range(of:)` or
/// `trimmingCharacters(in:)`, and the plugin avoids the much larger full Foundation for them.
extension StringProtocol where SubSequence == Substring {
    /// The first range of `needle`, searching `range` (all of the string when nil).
    func find(_ needle: String, in range: Range<Index>? = nil) -> Range<Index>? {
        let r = range ?? startIndex..<endIndex
        return self[r].firstRange(of: needle)
    }

    /// The text without leading and trailing characters of `set` (default: whitespace and newlines; "\\r\\n" would be one Character, so it is written "\\n\\r").
    func trimmed(_ set: String = " \t\n\r") -> String {
        let chars = Set(set)
        var s = self[...]
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
