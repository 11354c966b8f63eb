import WorkflowHost
import Foundation

/// The end-of-run reports: summary table, JSON document, JUnit XML, GitHub step summary.
enum RunReports {
    static func duration(_ r: StageRecord) -> Double? {
        guard let s = r.startedAt, let f = r.finishedAt else { return nil }
        return max(0, f - s)
    }

    /// STAGE STATUS ATTEMPTS DURATION ERROR, then the session's outcome.
    static func summaryTable(_ result: RunResult) -> String {
        var rows = [["STAGE", "STATUS", "ATTEMPTS", "DURATION", "ERROR"]]
        for r in result.stages {
            let error = r.errorMessage.map { "\(r.errorClass ?? "error"): \($0)" } ?? r.reason ?? ""
            rows.append([r.stage, r.status.rawValue, String(r.attempts),
                         duration(r).map { ProgressDisplay.format(seconds: $0) } ?? "-",
                         String(error.split(separator: "\n").first ?? "")])
        }
        var lines = [TextTable.render(rows)]
        lines.append("")
        lines.append("session \(result.session): \(result.status.rawValue) in \(ProgressDisplay.format(result.duration))"
                     + (result.stopReason.map { " (\($0))" } ?? ""))
        return lines.joined(separator: "\n")
    }

    static func json(_ result: RunResult, workflow: String, secrets: Secrets) -> JSONValue {
        .object([
            "session_id": .string(result.session),
            "workflow": .string(workflow),
            "status": .string(result.status.rawValue),
            "duration_ms": .int(Int64(result.duration.nanoseconds / 1_000_000)),
            "stop_reason": result.stopReason.map(JSONValue.string) ?? .null,
            "stages": .array(result.stages.map { r in
                var o: JSONObject = ["name": .string(r.stage), "status": .string(r.status.rawValue),
                                     "attempts": .int(Int64(r.attempts))]
                if let d = duration(r) { o["duration_ms"] = .int(Int64(d * 1000)) }
                if let e = r.errorClass { o["error_type"] = .string(e) }
                if let m = r.errorMessage { o["error"] = .string(m) }
                if let reason = r.reason { o["reason"] = .string(reason) }
                if let out = result.outputs[r.stage] { o["output"] = secrets.mask(out) }
                return .object(o)
            }),
        ])
    }

    /// Escapes text for XML character data; the control characters XML 1.0 forbids even escaped become `?`.
    static func xmlEscape(_ s: String) -> String { xmlEscape(s, attribute: false) }

    /// Escapes text for an XML attribute value: as character data, and line breaks and tabs as character
    /// references (`&#10;`), which a parser would otherwise normalise to spaces.
    static func xmlAttribute(_ s: String) -> String { xmlEscape(s, attribute: true) }

    private static func xmlEscape(_ s: String, attribute: Bool) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n" where attribute: out += "&#10;"
            case "\r" where attribute: out += "&#13;"
            case "\t" where attribute: out += "&#9;"
            default:
                // XML 1.0 forbids most control characters even escaped.
                if c.value < 0x20 && c != "\n" && c != "\t" && c != "\r" || c.value == 0xFFFE || c.value == 0xFFFF {
                    out += "?"
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out
    }

    /// Lines of stored output kept per stream in a JUnit test case.
    static let junitTailLines = 200

    /// `2024-05-01T12:00:00Z`.
    static func isoTime(_ t: Double) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: t))
    }

    /// What a JUnit test case prints in `<system-out>`: the log lines, then stdout, of the given attempts.
    static func junitOut(_ attempts: [AttemptDetail]) -> String {
        var lines: [String] = []
        for a in attempts {
            lines += a.logLines.map { "[\(a.record.tool)] \($0.text)" }
            lines += Tail.last(a.record.stdoutTail, junitTailLines)
        }
        return lines.joined(separator: "\n")
    }

    static func junitErr(_ attempts: [AttemptDetail]) -> String {
        attempts.flatMap { Tail.last($0.record.stderrTail, junitTailLines) }.joined(separator: "\n")
    }

    /// `<system-out>` and `<system-err>` elements for what `attempts` printed; nothing for empty output.
    static func junitOutput(_ attempts: [AttemptDetail], indent: String) -> String {
        var xml = ""
        let out = junitOut(attempts), err = junitErr(attempts)
        if !out.isEmpty { xml += "\(indent)<system-out>\(xmlEscape(out))</system-out>\n" }
        if !err.isEmpty { xml += "\(indent)<system-err>\(xmlEscape(err))</system-err>\n" }
        return xml
    }

    /// JUnit XML (the Surefire/Jenkins `junit-10.xsd` shape): one test suite for the run, one test case per stage.
    /// Failed stages carry a `<failure>` (earlier failed attempts as `<rerunFailure>`), skipped ones `<skipped>`,
    /// a stage that passed after failed attempts a `<flakyFailure>` per failed attempt; allowed failures pass with the
    /// failure in `<system-out>`. Each test case has its last attempt's log lines and stdout in `<system-out>` and
    /// its stderr in `<system-err>`. The suite has the session's start `timestamp`, the `hostname` and the run's
    /// wall-clock `time`.
    /// - Parameter details: the stored attempts (nil when they could not be read: the report has no output then).
    static func junit(_ result: RunResult, workflow: String, details: SessionDetails?,
                      hostname: String = ProcessInfo.processInfo.hostName) -> String {
        let failures = result.stages.filter { $0.status == .failed || $0.status == .cancelled }.count
        let skipped = result.stages.filter { $0.status == .skipped || $0.status == .pending }.count
        let wall = String(format: "%.3f", Double(result.duration.components.seconds) + Double(result.duration.components.attoseconds) / 1e18)
        let started = details?.snapshot.session.startedAt ?? details?.snapshot.session.createdAt ?? Date().timeIntervalSince1970
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"wfhost\" tests=\"\(result.stages.count)\" failures=\"\(failures)\" errors=\"0\" time=\"\(wall)\">\n"
        xml += "  <testsuite name=\"\(xmlAttribute(workflow))\" id=\"\(xmlAttribute(result.session))\" tests=\"\(result.stages.count)\" "
            + "failures=\"\(failures)\" skipped=\"\(skipped)\" errors=\"0\" time=\"\(wall)\" timestamp=\"\(isoTime(started))\" "
            + "hostname=\"\(xmlAttribute(hostname))\">\n"
        xml += "    <properties>\n      <property name=\"session\" value=\"\(xmlAttribute(result.session))\"/>\n"
            + "      <property name=\"status\" value=\"\(result.status.rawValue)\"/>\n    </properties>\n"
        for r in result.stages {
            let time = String(format: "%.3f", duration(r) ?? 0)
            let all = details?.attempts(of: r.stage) ?? []
            let last = details?.lastAttempt(of: r.stage) ?? []
            let earlier = all.filter { a in a.failed && !last.contains { $0.attempt == a.attempt } }
            xml += "    <testcase classname=\"\(xmlAttribute(workflow))\" name=\"\(xmlAttribute(r.stage))\" time=\"\(time)\">\n"
            switch r.status {
            case .failed, .cancelled:
                let message = r.errorMessage ?? r.reason ?? r.status.rawValue
                xml += "      <failure type=\"\(xmlAttribute(r.errorClass ?? r.status.rawValue))\" message=\"\(xmlAttribute(message))\">"
                    + xmlEscape("attempts: \(r.attempts)\n\(message)") + "</failure>\n"
                xml += rerun("rerunFailure", earlier)
            case .succeeded:
                xml += rerun("flakyFailure", earlier)
            case .skipped, .pending:
                xml += "      <skipped message=\"\(xmlAttribute(r.reason ?? "skipped"))\"/>\n"
            case .allowedFailure:
                xml += "      <system-out>\(xmlEscape("allowed failure: \(r.errorClass ?? ""): \(r.errorMessage ?? "")"))</system-out>\n"
            case .running:
                break
            }
            xml += junitOutput(last, indent: "      ")
            xml += "    </testcase>\n"
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    /// One `<flakyFailure>` or `<rerunFailure>` per failed attempt, with what the attempt printed.
    private static func rerun(_ element: String, _ attempts: [AttemptDetail]) -> String {
        var xml = ""
        for a in attempts {
            let message = a.record.errorMessage ?? "failed"
            xml += "      <\(element) type=\"\(xmlAttribute(a.record.errorClass ?? "failed"))\" message=\"\(xmlAttribute(message))\">\n"
            xml += "        <stackTrace>\(xmlEscape("attempt \(a.attempt) of \(a.record.tool)\n\(message)"))</stackTrace>\n"
            xml += junitOutput([a], indent: "        ")
            xml += "      </\(element)>\n"
        }
        return xml
    }

    /// A Markdown summary with a Mermaid graph coloured by stage status, for `GITHUB_STEP_SUMMARY`; each failed
    /// stage's output follows in a `<details>` block. Names and messages are escaped for Markdown and HTML.
    static func githubSummary(_ result: RunResult, workflow: Workflow, details: SessionDetails? = nil) -> String {
        var md = "### wfhost: \(Markup.cell(workflow.metadata.name)) — \(result.status.rawValue)\n\n"
        md += "Session `\(result.session)`, \(ProgressDisplay.format(result.duration)).\n\n"
        md += "```mermaid\nflowchart LR\n"
        for (i, stage) in workflow.stages.enumerated() where i < result.stages.count {
            let r = result.stages[i]
            let label = "\(Markup.mermaidLabel(stage.name))<br/>\(r.status.rawValue)" + (duration(r).map { " " + ProgressDisplay.format(seconds: $0) } ?? "")
            md += "  s\(i)[\"\(label)\"]:::\(r.status.rawValue)\n"
        }
        for (i, stage) in workflow.stages.enumerated() {
            for dep in stage.dependsOn {
                if let j = workflow.stageIndex(named: dep.name) { md += "  s\(j) --> s\(i)\n" }
            }
        }
        md += "  classDef succeeded fill:#2da44e,color:#fff\n  classDef failed fill:#cf222e,color:#fff\n"
        md += "  classDef allowed_failure fill:#d4a72c,color:#000\n  classDef skipped fill:#8c959f,color:#fff\n"
        md += "  classDef cancelled fill:#57606a,color:#fff\n  classDef pending fill:#eaeef2,color:#000\n"
        md += "  classDef running fill:#0969da,color:#fff\n```\n\n"
        md += "| stage | status | attempts | duration | error |\n|---|---|---|---|---|\n"
        for r in result.stages {
            let error = Markup.cell(r.errorMessage ?? r.reason ?? "")
            md += "| \(Markup.cell(r.stage)) | \(r.status.rawValue) | \(r.attempts) | \(duration(r).map { ProgressDisplay.format(seconds: $0) } ?? "-") | \(error) |\n"
        }
        md += "\n"
        for r in result.stages where r.status == .failed {
            let attempts = details?.lastAttempt(of: r.stage) ?? []
            md += "<details><summary>\(Markup.html(r.stage)) failed: \(Markup.html(r.errorClass ?? "error")): "
                + "\(Markup.html(firstLine(r.errorMessage ?? r.reason ?? "")))</summary>\n\n"
            var body = "\(r.errorClass ?? "error"): \(r.errorMessage ?? r.reason ?? "")\n"
            for section in FailureOutput.sections(attempts) {
                body += "\n\(section.title):\n" + section.lines.joined(separator: "\n") + "\n"
            }
            md += "<pre>\(Markup.html(body))</pre>\n\n</details>\n\n"
        }
        return md
    }

    static func firstLine(_ s: String) -> String { String(s.split(separator: "\n", omittingEmptySubsequences: false).first ?? "") }
}
