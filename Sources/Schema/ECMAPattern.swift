import Foundation

/// A `pattern` / `patternProperties` regular expression: ECMA-262 source translated for ICU
/// (`NSRegularExpression`), searched unanchored, with a step budget.
///
/// What the translation makes exact (ICU's meaning differs from ECMA-262's for these):
/// - `\d` `\D` `\w` `\W` → ASCII classes (ICU's are Unicode-wide); `\b` `\B` → ASCII word boundaries.
/// - `\s` `\S` → ECMA-262's exact whitespace set (ICU's `\s` differs in U+0085 and U+180E-like edges).
/// - `.` → any code point but `\n` `\r` U+2028 U+2029 (ICU also stops at U+000B, U+000C, U+0085).
/// - `$` → end of input (ICU's `$` also matches before a final line terminator).
/// - `\v` → U+000B (ICU: any vertical whitespace); `\b` inside a class → backspace; `\0` → NUL;
///   `\u{…}` → ICU's `\x{…}`.
/// - `[` inside a class → a literal `[` (ICU would start a nested set); `&` inside a class → literal
///   (ICU's `&&` is intersection); `[]` → matches nothing; `[^]` → any code point.
/// - Escapes that ECMA-262 does not define with a letter (ICU's `\A` `\Z` `\z` `\G` `\Q` `\E` `\h` `\R` `\X`
///   `\N` `\K` and others) are rejected as schema errors rather than given ICU's meaning.
///
/// Remaining differences (documented, not translated):
/// - ICU accepts some syntax ECMA-262 rejects (possessive quantifiers `a*+`, atomic groups `(?>…)`,
///   inline flags `(?i)`, comments `(?#…)`), and treats it as ICU does.
/// - ICU rejects some syntax ECMA-262's Annex B accepts (a lone `{` or `}` as a literal, `]` as the first
///   character of a class is fine in both); such a pattern is a schema error.
/// - Matching works on UTF-16 like ECMA-262 without the `u` flag, but `\p{…}` and `\u{…}` are accepted
///   as with the `u` flag; case folding follows ICU.
/// - Lookbehind must have a bounded length in ICU.
///
/// Guard rail: matching stops after ``stepBudget`` ICU progress callbacks (ICU calls back about every
/// 10,000 backtracking steps), and the value is then reported as not matching, with a message that says so.
final class ECMAPattern: @unchecked Sendable {
    // `@unchecked`: NSRegularExpression is immutable after creation and documented safe to use from
    // several threads at once.
    let source: String
    let translated: String
    private let regex: NSRegularExpression

    /// About 1,000,000 ICU steps; a normal match never reaches the first callback.
    static let stepBudget = 100

    enum MatchResult { case matched, notMatched, budgetExceeded }

    /// Why a pattern cannot be used.
    struct Invalid: Error { let message: String }

    init(_ source: String) throws(Invalid) {
        self.source = source
        self.translated = try Self.translate(source)
        do {
            self.regex = try NSRegularExpression(pattern: translated, options: [])
        } catch {
            throw Invalid(message: "is not a regular expression this platform supports")
        }
    }

    func match(_ text: String) -> MatchResult {
        let utf16Count = text.utf16.count
        var found = false
        var callbacks = 0
        var exceeded = false
        regex.enumerateMatches(in: text, options: [.reportProgress], range: NSRange(location: 0, length: utf16Count)) {
            result, flags, stop in
            if result != nil {
                found = true
                stop.pointee = true
            } else if flags.contains(.progress) {
                callbacks += 1
                if callbacks > Self.stepBudget {
                    exceeded = true
                    stop.pointee = true
                }
            }
        }
        if found { return .matched }
        return exceeded ? .budgetExceeded : .notMatched
    }

    // MARK: Translation

    private static let wordClass = "A-Za-z0-9_"
    private static let spaceClass = "\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}"
    private static let wordBoundary = "(?:(?<=[\(wordClass)])(?![\(wordClass)])|(?<![\(wordClass)])(?=[\(wordClass)]))"
    private static let notWordBoundary = "(?:(?<=[\(wordClass)])(?=[\(wordClass)])|(?<![\(wordClass)])(?![\(wordClass)]))"

    /// Rewrites ECMA-262 pattern syntax into ICU syntax with the same meaning (see the type's documentation).
    static func translate(_ source: String) throws(Invalid) -> String {
        let scalars = Array(source.unicodeScalars)
        var out = ""
        var i = 0
        var inClass = false
        func append(_ s: String) { out += s }
        while i < scalars.count {
            let c = scalars[i]
            if c == "\\" {
                guard i + 1 < scalars.count else { throw Invalid(message: "ends with a lone backslash") }
                let e = scalars[i + 1]
                i += 2
                switch e {
                case "d": append(inClass ? "0-9" : "[0-9]")
                case "D": append("[^0-9]")
                case "w": append(inClass ? wordClass : "[\(wordClass)]")
                case "W": append("[^\(wordClass)]")
                case "s": append(inClass ? spaceClass : "[\(spaceClass)]")
                case "S": append("[^\(spaceClass)]")
                case "b": append(inClass ? "\\x{08}" : wordBoundary)
                case "B":
                    if inClass { throw Invalid(message: "uses \\B inside a character class") }
                    append(notWordBoundary)
                case "v": append("\\x{0B}")
                case "0" where i >= scalars.count || !("0"..."9").contains(scalars[i]):
                    append("\\x{0}")  // ECMA-262's NUL escape; ICU's \0 starts an octal escape
                case "u" where i < scalars.count && scalars[i] == "{":
                    append("\\x")  // \u{1F600} (ECMA-262 with the u flag) is \x{1F600} in ICU
                case "f", "n", "r", "t", "k", "p", "P", "c", "x", "u":
                    append("\\" + String(e))
                case "1"..."9":
                    append("\\" + String(e))
                default:
                    if e.properties.isAlphabetic && e.isASCII {
                        throw Invalid(message: "uses \\\(e), which is not an ECMA-262 escape")
                    }
                    // Identity escape of punctuation: literal in both dialects.
                    append("\\" + String(e))
                }
                continue
            }
            if inClass {
                switch c {
                case "]": inClass = false; append("]")
                case "[": append("\\[")
                case "&": append("\\&")
                default: out.unicodeScalars.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case "[":
                // `[]` matches nothing and `[^]` matches anything in ECMA-262; ICU rejects both.
                if i + 1 < scalars.count, scalars[i + 1] == "]" {
                    append("(?!)"); i += 2; continue
                }
                if i + 2 < scalars.count, scalars[i + 1] == "^", scalars[i + 2] == "]" {
                    append("[\\x{0}-\\x{10FFFF}]"); i += 3; continue
                }
                inClass = true
                append("[")
                if i + 1 < scalars.count, scalars[i + 1] == "^" { append("^"); i += 1 }
                // A `]` right after `[` or `[^` closes an empty class in ECMA-262, handled above; in ICU a
                // leading `]` would be a literal, so nothing else to do here.
            case ".": append("[^\\n\\r\\x{2028}\\x{2029}]")
            case "$": append("\\z")
            default: out.unicodeScalars.append(c)
            }
            i += 1
        }
        if inClass { throw Invalid(message: "has an unterminated character class") }
        return out
    }
}
