import Spec

/// The `--json` document of `wfhost validate`: one entry per file.
public struct ValidationDocument: Sendable, Codable {
    public struct FileEntry: Sendable, Codable {
        public var file: String
        public var valid: Bool
        public var errors: Int
        public var warnings: Int
        /// Stages in the workflow, when its structure could be read.
        public var stages: Int?
        /// Levels of the plan, when it has no cycle.
        public var levels: Int?
        public var diagnostics: [Diagnostic]
    }

    public var valid: Bool
    public var files: [FileEntry]

    public init(reports: [ValidationReport]) {
        files = reports.map { report in
            FileEntry(file: report.file, valid: report.isValid, errors: report.errorCount, warnings: report.warningCount,
                      stages: report.workflow?.stages.count, levels: report.plan?.levels.count,
                      diagnostics: report.diagnostics)
        }
        valid = files.allSatisfy(\.valid)
    }
}

extension ValidationReport {
    /// The closing line for one file in text output: `f.yaml: valid (3 stages, 3 levels)` or
    /// `f.yaml: invalid: 2 errors, 1 warning`.
    public var summaryLine: String {
        func count(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        if isValid {
            let stages = workflow?.stages.count ?? 0
            var line = "\(file): valid (\(count(stages, "stage")), \(count(plan?.levels.count ?? 0, "level"))"
            if warningCount > 0 { line += ", \(count(warningCount, "warning"))" }
            return line + ")"
        }
        var line = "\(file): invalid: \(count(errorCount, "error"))"
        if warningCount > 0 { line += ", \(count(warningCount, "warning"))" }
        return line
    }
}

/// Text form of `wfhost analyze`.
public enum AnalysisText {
    public static func render(_ analysis: WorkflowAnalysis, file: String) -> String {
        let c = analysis.complexity
        var lines: [String] = []
        lines.append("workflow '\(analysis.workflow)' (\(file))")
        lines.append("  stages \(c.stages), edges \(c.edges), depth \(c.depth), widest level \(c.widestLevel), "
                     + "roots \(c.roots), leaves \(c.leaves)")
        lines.append("  max fan-in \(c.maxFanIn)" + (c.maxFanInStage.map { " ('\($0)')" } ?? "")
                     + ", max fan-out \(c.maxFanOut)" + (c.maxFanOutStage.map { " ('\($0)')" } ?? ""))
        lines.append("levels (stages that may run together):")
        let shownLevels = 20
        for (i, level) in analysis.levels.prefix(shownLevels).enumerated() {
            let names = level.prefix(8).joined(separator: ", ") + (level.count > 8 ? ", ... (\(level.count) in all)" : "")
            lines.append("  \(i): \(names)")
        }
        if analysis.levels.count > shownLevels {
            lines.append("  ... \(analysis.levels.count - shownLevels) more levels")
        }
        let path = analysis.criticalPath
        let total = path.weighting == .timeout ? DurationText.format(.milliseconds(Int64((path.total * 1000).rounded())))
                                               : formatNumber(path.total)
        let chain = path.stages.count > 12
            ? (path.stages.prefix(5) + ["..."] + path.stages.suffix(5)).joined(separator: " → ")
            : path.stages.joined(separator: " → ")
        lines.append("critical path (by \(path.weighting.rawValue), \(total), \(path.stages.count) stages): \(chain)")
        if analysis.suggestions.isEmpty {
            lines.append("suggestions: none")
        } else {
            lines.append("suggestions:")
            for suggestion in analysis.suggestions {
                let place = suggestion.location.map { "\($0): " } ?? ""
                lines.append("  \(place)\(suggestion.kind.rawValue): \(suggestion.message)")
            }
        }
        for limit in analysis.limits { lines.append("note: \(limit)") }
        return lines.joined(separator: "\n")
    }

    static func formatNumber(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
