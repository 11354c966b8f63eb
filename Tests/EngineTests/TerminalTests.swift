import Foundation
import Schema
import Testing
import WfhostTestSupport

/// The progress display on a real pseudo-terminal (issue 13 item 7): as wide as the terminal and following a
/// resize (SIGWINCH), cleared before other output (the Ctrl-C notice), and no escape sequence off a terminal.
@Suite struct TerminalTests {
    static let driver = TestSupport.repoRoot + "/Tests/EngineTests/Fixtures/pty_run.py"

    /// A run long enough for several redraws, with stage names that make the progress line longer than 60 columns.
    static let spec = """
        stages:
          - {name: a_rather_long_stage_name_one, tools: [{name: sleep, args: {ms: 2500}}]}
          - {name: a_rather_long_stage_name_two, tools: [{name: sleep, args: {ms: 2500}}]}
          - {name: last, depends_on: [a_rather_long_stage_name_one], tools: [{name: echo, args: {message: done}}]}
        """

    struct PtyRun {
        var status: Int
        var output: String
        var resizedAt: Int
    }

    static func underPty(_ h: EngineHarness, columns: Int, options: [String] = [], _ arguments: [String]) throws -> PtyRun {
        var environment = h.environment
        environment["TERM"] = "xterm"
        environment["COLUMNS"] = "200" // the kernel's size must win over the variable
        let r = try TestSupport.run("/usr/bin/python3", [driver, String(columns)] + options + ["--", TestSupport.wfhost] + arguments,
                                    environment: environment)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try JSONValue.parse(r.stdout)
        return PtyRun(status: doc["status"]?.intValue ?? -1, output: doc["output"]?.stringValue ?? "",
                      resizedAt: doc["resized_at"]?.intValue ?? -1)
    }

    /// Each drawing of the live line (what follows `ESC[2K` up to the next `\r`, `\n` or escape).
    static func progressLines(_ output: String) -> [String] {
        output.components(separatedBy: "\u{1B}[2K").dropFirst().compactMap { piece -> String? in
            let line = String(piece.prefix { $0 != "\r" && $0 != "\n" && $0 != "\u{1B}" })
            return line.range(of: #"^\[\d+/\d+\] \d+%"#, options: .regularExpression) != nil ? line : nil
        }
    }

    @Test func theLineFitsTheTerminalAndFollowsAResize() throws {
        let h = try EngineHarness("pty-width")
        defer { h.cleanup() }
        let file = try h.write(Self.spec)
        let run = try Self.underPty(h, columns: 60, options: ["--resize-to", "40"], ["run", file])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.resizedAt > 0)
        let before = Self.progressLines(String(run.output.prefix(run.resizedAt)))
        // Lines drawn between the resize and the host's handling of SIGWINCH still have the old width (on a loaded
        // machine there may be a few): the display has followed once a line fits the new width.
        let after = Array(Self.progressLines(String(run.output.dropFirst(run.resizedAt))).drop { $0.count > 39 })
        #expect(!before.isEmpty && !after.isEmpty, "\(run.output.debugDescription)")
        // One column is left free; the names make the line longer than both widths, so it is cut with an ellipsis.
        #expect(before.allSatisfy { $0.count <= 59 }, "\(before)")
        #expect(before.contains { $0.count == 59 && $0.hasSuffix("…") }, "\(before)")
        #expect(after.allSatisfy { $0.count <= 39 }, "\(after)")
        #expect(after.contains { $0.count == 39 && $0.hasSuffix("…") }, "\(after)")
        // Stage lines are written above a cleared line, never onto it.
        for range in run.output.ranges(of: "stage ") where range.lowerBound > run.output.startIndex {
            let before = run.output[..<range.lowerBound]
            // (On a terminal "\n" arrives as "\r\n", one Character in Swift.)
            #expect(before.hasSuffix("\n") || before.hasSuffix("\r\n") || before.hasSuffix("\u{1B}[2K"),
                    "\(before.suffix(80).debugDescription)")
        }
    }

    @Test func theCtrlCNoticeDoesNotLandOnTheProgressLine() throws {
        let h = try EngineHarness("pty-interrupt")
        defer { h.cleanup() }
        let file = try h.write(Self.spec)
        let run = try Self.underPty(h, columns: 80, options: ["--interrupt"], ["run", file])
        #expect(run.status == 130, "\(run.output)")
        let notice = try #require(run.output.range(of: "wfhost: SIGINT: cancelling the run"), "\(run.output)")
        let before = run.output[..<notice.lowerBound]
        #expect(before.hasSuffix("\r\u{1B}[2K") || before.hasSuffix("\n"), "\(before.suffix(80).debugDescription)")
    }

    @Test func offATerminalThereAreNoEscapesAndLinesCountStages() throws {
        let h = try EngineHarness("no-tty")
        defer { h.cleanup() }
        let file = try h.write("""
            stages:
              - {name: one, tools: [{name: echo, args: {message: hi}}]}
              - {name: two, depends_on: [one], tools: [{name: echo, args: {message: hi}}]}
            """)
        var environment = h.environment
        environment["TERM"] = "xterm"
        let run = try TestSupport.run(TestSupport.wfhost, ["run", file], environment: environment)
        #expect(run.status == 0)
        #expect(!run.stderr.contains("\u{1B}") && !run.stdout.contains("\u{1B}"))
        #expect(run.stderr.contains("[0/2] stage one: started\n"), "\(run.stderr)")
        #expect(run.stderr.contains("[1/2] stage two: started\n"), "\(run.stderr)")

        // status --watch into a file: each refresh as text, no clear-screen escape.
        let session = try #require(run.stderr.split(separator: "\n").first.map { String($0.dropFirst("session ".count)) })
        let watch = try TestSupport.run(TestSupport.wfhost, ["status", session, "--watch"], environment: environment)
        #expect(watch.status == 0)
        #expect(watch.stdout.hasPrefix("session \(session): succeeded"), "\(watch.stdout)")
        #expect(!watch.stdout.contains("\u{1B}"))
    }

    @Test func statusWatchOnATerminalClearsTheScreen() throws {
        let h = try EngineHarness("pty-watch")
        defer { h.cleanup() }
        let file = try h.write("stages:\n  - {name: one, tools: [{name: echo, args: {message: hi}}]}\n")
        let run = try h.cli(["run", file, "--quiet"])
        let session = try #require(run.stderr.split(separator: "\n").first.map { String($0.dropFirst("session ".count)) })
        let watch = try Self.underPty(h, columns: 80, ["status", session, "--watch"])
        #expect(watch.output.hasPrefix("\u{1B}[H\u{1B}[2J"), "\(watch.output.debugDescription)")
    }
}
