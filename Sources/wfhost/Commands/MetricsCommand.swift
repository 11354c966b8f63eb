import ArgumentParser
import Foundation
import WorkflowHost

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics", abstract: "Print session, workflow and tool metrics from the state directory.")
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, prometheus }
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print a JSON document (same as --format json).") var json = false
    @Option(help: "Output format.") var format: Format = .text

    func run() throws {
        let m = try runReportingHostErrors { try global.host().metrics() }
        switch json ? .json : format {
        case .json: printDocument(Self.json(m))
        case .prometheus: print(Self.prometheus(m), terminator: "")
        case .text: print(Self.text(m))
        }
    }

    static func group(_ g: HostMetrics.Group) -> JSONValue {
        .object(["name": .string(g.name), "total": .int(Int64(g.total)), "succeeded": .int(Int64(g.succeeded)),
                 "failed": .int(Int64(g.failed)), "success_rate": .double(g.successRate), "retries": .int(Int64(g.retries)),
                 "cancelled": .int(Int64(g.cancelled)), "queue_seconds": .double(g.queueSum),
                 "duration_seconds": .object(["p50": .double(g.durations.p50), "p95": .double(g.durations.p95),
                                              "max": .double(g.durations.max), "sum": .double(g.durationSum),
                                              "count": .int(Int64(g.durationCount))]),
                 "error_classes": .object(JSONObject(g.errorClasses.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) }))])
    }

    static func json(_ m: HostMetrics) -> JSONValue {
        .object(["sessions": .object(JSONObject(m.sessionsByStatus.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) })),
                 "workflows": .array(m.workflows.map(group)), "tools": .array(m.tools.map(group)),
                 "checkpoints": .object(["total": .int(Int64(m.checkpoints)), "automatic": .int(Int64(m.automaticCheckpoints))])])
    }

    /// A label value in the text exposition format: backslash, double quote and line feed escaped.
    static func label(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A sample value: integers without a fraction, others as Swift's shortest round-trip text (Go parses both).
    static func value(_ v: Double) -> String {
        v.isFinite && v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    }

    /// The Prometheus text exposition (version 0.0.4). Counters (`_total`) and the summaries' `_sum` and `_count`
    /// include the sessions `cleanup` removed, so they never drop; quantiles and the `wfhost_sessions` gauge
    /// describe the sessions still stored (`interrupted`: a running session whose host is gone).
    static func prometheus(_ m: HostMetrics) -> String {
        var out = "# HELP wfhost_sessions Sessions in the state directory by status.\n# TYPE wfhost_sessions gauge\n"
        for (status, n) in m.sessionsByStatus.sorted(by: { $0.key < $1.key }) { out += "wfhost_sessions{status=\"\(label(status))\"} \(n)\n" }
        for (kind, groups) in [("workflow", m.workflows), ("tool", m.tools)] {
            out += "# HELP wfhost_\(kind)_runs_total Finished \(kind) runs by outcome.\n# TYPE wfhost_\(kind)_runs_total counter\n"
            for g in groups {
                var outcomes = [("succeeded", g.succeeded), ("failed", g.failed)]
                if kind == "workflow" { outcomes.append(("cancelled", g.cancelled)) }
                for (outcome, n) in outcomes {
                    out += "wfhost_\(kind)_runs_total{\(kind)=\"\(label(g.name))\",outcome=\"\(outcome)\"} \(n)\n"
                }
            }
            out += "# HELP wfhost_\(kind)_duration_seconds Duration of finished \(kind) runs (a workflow's: the time hosts ran it, paused time excluded).\n# TYPE wfhost_\(kind)_duration_seconds summary\n"
            for g in groups {
                let l = "\(kind)=\"\(label(g.name))\""
                if g.durations.count > 0 {
                    out += "wfhost_\(kind)_duration_seconds{\(l),quantile=\"0.5\"} \(value(g.durations.p50))\n"
                    out += "wfhost_\(kind)_duration_seconds{\(l),quantile=\"0.95\"} \(value(g.durations.p95))\n"
                }
                out += "wfhost_\(kind)_duration_seconds_sum{\(l)} \(value(g.durationSum))\n"
                out += "wfhost_\(kind)_duration_seconds_count{\(l)} \(g.durationCount)\n"
            }
        }
        out += "# HELP wfhost_workflow_queue_seconds_total Time stages waited for a concurrency slot (not in durations).\n"
            + "# TYPE wfhost_workflow_queue_seconds_total counter\n"
        for g in m.workflows { out += "wfhost_workflow_queue_seconds_total{workflow=\"\(label(g.name))\"} \(value(g.queueSum))\n" }
        out += "# HELP wfhost_workflow_retries_total Retried attempts in workflow runs.\n# TYPE wfhost_workflow_retries_total counter\n"
        for g in m.workflows { out += "wfhost_workflow_retries_total{workflow=\"\(label(g.name))\"} \(g.retries)\n" }
        out += "# HELP wfhost_tool_retries_total Retried tool attempts.\n# TYPE wfhost_tool_retries_total counter\n"
        for g in m.tools { out += "wfhost_tool_retries_total{tool=\"\(label(g.name))\"} \(g.retries)\n" }
        out += "# HELP wfhost_tool_errors_total Failed tool attempts by error class.\n# TYPE wfhost_tool_errors_total counter\n"
        for g in m.tools {
            for (c, n) in g.errorClasses.sorted(by: { $0.key < $1.key }) {
                out += "wfhost_tool_errors_total{tool=\"\(label(g.name))\",class=\"\(label(c))\"} \(n)\n"
            }
        }
        out += "# HELP wfhost_checkpoints Checkpoints stored.\n# TYPE wfhost_checkpoints gauge\n"
        out += "wfhost_checkpoints{kind=\"automatic\"} \(m.automaticCheckpoints)\n"
        out += "wfhost_checkpoints{kind=\"manual\"} \(m.checkpoints - m.automaticCheckpoints)\n"
        return out
    }

    static func text(_ m: HostMetrics) -> String {
        var lines = ["sessions: " + m.sessionsByStatus.sorted { $0.key < $1.key }.filter { $0.value > 0 }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ")]
        for (title, groups) in [("WORKFLOW", m.workflows), ("TOOL", m.tools)] {
            var rows = [[title, "RUNS", "SUCCESS", "P50", "P95", "MAX", "RETRIES", "ERRORS"]]
            for g in groups {
                rows.append([g.name, String(g.total), String(format: "%.0f%%", g.successRate * 100),
                             ProgressDisplay.format(seconds: g.durations.p50), ProgressDisplay.format(seconds: g.durations.p95),
                             ProgressDisplay.format(seconds: g.durations.max), String(g.retries),
                             g.errorClasses.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")])
            }
            lines.append("")
            lines.append(TextTable.render(rows))
        }
        lines.append("")
        lines.append("checkpoints: \(m.checkpoints) (\(m.automaticCheckpoints) automatic)")
        return lines.joined(separator: "\n")
    }
}

struct CleanupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup", abstract: "Remove finished sessions' rows, events and working directories, and reclaim space.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Remove sessions that finished longer ago than this (e.g. 24h, 7d is 168h).") var olderThan: String
    @Flag(help: "Say what would be removed; remove nothing.") var dryRun = false
    @Flag(help: "Print a JSON document.") var json = false

    func validate() throws {
        guard DurationText.parse(olderThan) != nil else {
            throw ValidationError("--older-than '\(olderThan)' is not a duration; write it like 24h, 90m or 3600")
        }
    }

    func run() throws {
        let age = DurationText.parse(olderThan) ?? .seconds(86_400)
        let report = try runReportingHostErrors { try global.host().cleanup(olderThan: age, dryRun: dryRun) }
        if json {
            printDocument(["dry_run": .bool(dryRun), "sessions": .array(report.sessions.map(JSONValue.string)),
                           "work_directories": .array(report.workDirectories.map(JSONValue.string)),
                           "bytes_before": .int(report.bytesBefore), "bytes_after": .int(report.bytesAfter)])
            return
        }
        let verb = dryRun ? "would remove" : "removed"
        print("\(verb) \(report.sessions.count) session(s) and \(report.workDirectories.count) work director(ies)"
              + (dryRun ? "" : "; database \(report.bytesBefore) → \(report.bytesAfter) bytes"))
        for id in report.sessions { print("  \(id)") }
    }
}
