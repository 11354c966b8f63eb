/// Text a tool supplied (log lines, messages, codes, output tails), made safe for a terminal, a log file or a
/// report: control characters other than newline and tab are shown as `\u{..}` escapes, so that no escape
/// sequence a plugin writes can clear a screen, set a title or move the cursor of the user's terminal.
public enum TerminalText {
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// C0 controls but newline and tab, DEL, and the C1 controls (U+0080–U+009F, which include CSI).
    private static func isControl(_ s: Unicode.Scalar) -> Bool {
        (s.value < 0x20 && s != "\n" && s != "\t") || (s.value >= 0x7f && s.value <= 0x9f)
    }
}
