import Engine
import Foundation
import Schema
import Spec
import Store

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

    static func json(_ result: RunResult, secrets: Secrets) -> JSONValue {
        .object([
            "session": .string(result.session),
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

    static func xmlEscape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // XML 1.0 forbids most control characters even escaped.
                if c.value < 0x20 && c != "\n" && c != "\t" && c != "\r" { out += "?" } else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }

    /// JUnit XML: one test suite for the run, one test case per stage; failed stages carry a <failure>, skipped
    /// ones <skipped>, allowed failures pass with the failure in <system-out>.
    static func junit(_ result: RunResult, workflow: String) -> String {
        let failures = result.stages.filter { $0.status == .failed || $0.status == .cancelled }.count
        let skipped = result.stages.filter { $0.status == .skipped || $0.status == .pending }.count
        let total = result.stages.reduce(0.0) { $0 + (duration($1) ?? 0) }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"wfhost\" tests=\"\(result.stages.count)\" failures=\"\(failures)\" time=\"\(String(format: "%.3f", total))\">\n"
        xml += "  <testsuite name=\"\(xmlEscape(workflow))\" id=\"\(xmlEscape(result.session))\" tests=\"\(result.stages.count)\" "
            + "failures=\"\(failures)\" skipped=\"\(skipped)\" errors=\"0\" time=\"\(String(format: "%.3f", total))\">\n"
        for r in result.stages {
            let time = String(format: "%.3f", duration(r) ?? 0)
            xml += "    <testcase classname=\"\(xmlEscape(workflow))\" name=\"\(xmlEscape(r.stage))\" time=\"\(time)\">\n"
            switch r.status {
            case .failed, .cancelled:
                let message = r.errorMessage ?? r.reason ?? r.status.rawValue
                xml += "      <failure type=\"\(xmlEscape(r.errorClass ?? r.status.rawValue))\" message=\"\(xmlEscape(message))\">"
                    + xmlEscape("attempts: \(r.attempts)\n\(message)") + "</failure>\n"
            case .skipped, .pending:
                xml += "      <skipped message=\"\(xmlEscape(r.reason ?? "skipped"))\"/>\n"
            case .allowedFailure:
                xml += "      <system-out>\(xmlEscape("allowed failure: \(r.errorClass ?? ""): \(r.errorMessage ?? "")"))</system-out>\n"
            default:
                break
            }
            xml += "    </testcase>\n"
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    /// A Markdown summary with a Mermaid graph coloured by stage status, for `GITHUB_STEP_SUMMARY`.
    static func githubSummary(_ result: RunResult, workflow: Workflow) -> String {
        var md = "### wfhost: \(workflow.metadata.name) — \(result.status.rawValue)\n\n"
        md += "Session `\(result.session)`, \(ProgressDisplay.format(result.duration)).\n\n"
        md += "```mermaid\nflowchart LR\n"
        for (i, stage) in workflow.stages.enumerated() {
            let r = result.stages[i]
            let label = "\(stage.name)<br/>\(r.status.rawValue)" + (duration(r).map { " " + ProgressDisplay.format(seconds: $0) } ?? "")
            md += "  s\(i)[\"\(label.replacingOccurrences(of: "\"", with: "'"))\"]:::\(r.status.rawValue)\n"
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
            let error = (r.errorMessage ?? r.reason ?? "").replacingOccurrences(of: "|", with: "\\|")
                .replacingOccurrences(of: "\n", with: " ")
            md += "| \(r.stage) | \(r.status.rawValue) | \(r.attempts) | \(duration(r).map { ProgressDisplay.format(seconds: $0) } ?? "-") | \(error) |\n"
        }
        return md + "\n"
    }
}
