import WorkflowHost
import Foundation

/// What a failed stage said, for the console and the step summary: the log lines, stdout and stderr of its last
/// attempt, each cut to its last `Tail.lines` lines.
enum FailureOutput {
    struct Section: Equatable {
        var title: String
        var lines: [String]
    }

    /// One section per non-empty stream of each attempt (its failed tools only, when some tool failed).
    static func sections(_ attempts: [AttemptDetail]) -> [Section] {
        let failed = attempts.filter(\.failed)
        var out: [Section] = []
        for a in failed.isEmpty ? attempts : failed {
            let of = "\(a.record.tool), attempt \(a.attempt)"
            let streams: [(String, [String])] = [
                ("log", a.logLines.map(\.text)),
                ("stdout", Tail.last(a.record.stdoutTail, .max)),
                ("stderr", Tail.last(a.record.stderrTail, .max)),
            ]
            for (name, lines) in streams where !lines.isEmpty {
                let cut = lines.count > Tail.lines ? ", last \(Tail.lines) of \(lines.count) lines" : ""
                out.append(Section(title: "\(name) of \(of)\(cut)", lines: Array(lines.suffix(Tail.lines))))
            }
        }
        return out
    }

    /// The console block under the summary: each failed stage, its error and what it printed, and the command
    /// that shows all of it.
    static func console(_ result: RunResult, details: SessionDetails) -> String {
        var blocks: [String] = []
        for r in result.stages where r.status == .failed {
            var lines = ["stage \(r.stage) failed: \(r.errorClass ?? "error"): \(r.errorMessage ?? r.reason ?? "")"]
            let sections = sections(details.lastAttempt(of: r.stage))
            for s in sections {
                lines.append("  \(s.title):")
                lines += s.lines.map { "    " + TerminalText.escape($0) }
            }
            if !sections.isEmpty { lines.append("  all of it: wfhost logs \(result.session) \(r.stage)") }
            blocks.append(lines.joined(separator: "\n"))
        }
        return blocks.joined(separator: "\n\n")
    }
}

/// Escaping for the Markdown of the step summary.
enum Markup {
    /// Text as HTML character data or attribute value.
    static func html(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// Text in a Markdown table cell or heading, on one line: Markdown punctuation backslash-escaped, then
    /// HTML-escaped (in that order, so that the entities' `&#` stay as they are).
    static func cell(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\", "`", "*", "_", "[", "]", "|", "~": out += "\\" + String(c)
            case "\n", "\r": out += " "
            default: out.append(c)
            }
        }
        return html(out)
    }

    /// A Mermaid node label: quotes and HTML characters as entities (`#quot;` is Mermaid's), one line.
    static func mermaidLabel(_ s: String) -> String {
        html(s).replacingOccurrences(of: "&quot;", with: "#quot;").replacingOccurrences(of: "\n", with: " ")
    }
}

/// GitHub Actions workflow commands (`GITHUB_ACTIONS=true`): stage groups and error annotations.
enum GitHubActions {
    static func isActive(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["GITHUB_ACTIONS"] == "true"
    }

    /// A command's message: `%`, CR and LF encoded.
    static func escapeData(_ text: String) -> String {
        var out = ""
        for ch in text.unicodeScalars {
            switch ch {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A command's property value: as data, and `:` and `,` encoded.
    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    /// `::error file=F,line=L,col=C,title=...::message` for a failed stage, at the stage's place in the workflow.
    static func errorAnnotation(stage: String, at location: SourceLocation, errorClass: String?, message: String) -> String {
        let properties = ["file=\(escapeProperty(location.file))", "line=\(location.line)", "col=\(location.column)",
                          "title=\(escapeProperty("stage \(stage) failed"))"].joined(separator: ",")
        return "::error \(properties)::\(escapeData("\(errorClass ?? "error"): \(message)"))"
    }

    /// The annotations of a finished run: one per failed stage.
    static func annotations(_ result: RunResult, workflow: Workflow) -> [String] {
        result.stages.filter { $0.status == .failed }.compactMap { r in
            guard let i = workflow.stageIndex(named: r.stage) else { return nil }
            return errorAnnotation(stage: r.stage, at: workflow.stages[i].location, errorClass: r.errorClass,
                                   message: r.errorMessage ?? r.reason ?? "failed")
        }
    }
}
