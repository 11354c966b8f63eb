/// Plain-text tables for the terminal: the report tables of `wfhost plugins list`, `wfhost sessions`, `wfhost
/// metrics`, `wfhost workflows list` and the end-of-run summary.
enum TextTable {
    /// Renders `rows` (the header first) as lines of columns two spaces apart. Every column but the last is padded
    /// to its widest cell; the last is left as it is, so long text there (an error, a tool list) adds no trailing
    /// spaces.
    /// - Returns: the lines joined by newlines, without a final one; "" when `rows` is empty.
    static func render(_ rows: [[String]]) -> String {
        guard let columns = rows.first?.count, columns > 0 else { return "" }
        let widths = (0..<(columns - 1)).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            (0..<(columns - 1)).map { row[$0].padding(toLength: widths[$0]) }.joined(separator: "  ") + "  " + row[columns - 1]
        }.joined(separator: "\n")
    }
}

extension String {
    /// This string with spaces added up to `n` characters; a longer string is returned whole.
    func padding(toLength n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
