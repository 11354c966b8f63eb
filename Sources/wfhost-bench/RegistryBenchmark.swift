import Foundation
import Isolation
import Registry
import Schema

/// The registry figures of `wfhost-bench` (issue 2, "Must show"): `wfhost plugins list` with 100 plugins on the
/// path, run as a child process of this very binary, cold (empty registry) and warm (unchanged files), as medians.
///
/// The 100 plugins come from one small C source compiled once with `cc`; each copy has its marker `bench_q000`
/// rewritten in place (`bench_q001`, ...), so every file is a valid plugin with its own name, tool names, bytes and
/// SHA-256, and a cold run really loads and validates each one.
enum RegistryBenchmark {
    static let pluginCount = 100
    static let coldRuns = 7
    static let warmRuns = 21
    static let floorRuns = 21
    /// Goals from issue 2.
    static let warmGoalMilliseconds = 20.0
    static let coldGoalMillisecondsPerPlugin = 5.0

    struct Figures {
        /// Plugin files on the path during the runs: the generated ones plus any the standard directories hold.
        var pluginFiles: Int
        var floorMedian: Double
        var coldMedian: Double
        var warmMedian: Double
        var coldPerPlugin: Double { coldMedian / Double(max(pluginFiles, 1)) }
        var warmMet: Bool { warmMedian < RegistryBenchmark.warmGoalMilliseconds }
        var coldMet: Bool { coldPerPlugin < RegistryBenchmark.coldGoalMillisecondsPerPlugin }
    }

    typealias Outcome = BenchOutcome<Figures>

    /// Builds the plugins in a temporary directory, measures, and removes the directory.
    /// - Parameter progress: receives one line per phase (the command prints it on stderr).
    /// - Throws: `BenchError` when compiling or a measured run fails.
    static func run(progress: (String) -> Void) throws -> Outcome {
        guard let cc = BenchProcess.findOnPath("cc") else {
            return .skipped("the registry benchmark needs a C compiler: no `cc` on PATH")
        }
        guard let include = sdkIncludeDirectory() else {
            return .skipped("the registry benchmark needs the SDK header wfhost/plugin.h (looked beside the "
                            + "executable: ../include, and in a source tree above it)")
        }
        let work = try BenchProcess.makeTemporaryDirectory()
        defer { BenchProcess.remove(work) }
        let pluginDir = work + "/plugins"
        try FileManager.default.createDirectory(atPath: pluginDir, withIntermediateDirectories: false)

        progress("bench: compiling the plugin template with \(cc) and writing \(pluginCount) copies to \(pluginDir)")
        let template = try compileTemplate(cc: cc, include: include, work: work)
        for index in 0..<pluginCount {
            let bytes = try renamed(template, index: index)
            try Data(bytes).write(to: URL(fileURLWithPath: pluginDir + "/bench_q\(threeDigits(index)).so"))
        }
        let environment = ProcessInfo.processInfo.environment
        let files = PluginSearchPath.standard(explicit: pluginDir, environment: environment).pluginFiles().count

        let exe = try BenchProcess.currentExecutable()
        let stderrPath = work + "/stderr.txt"
        func list(stateDir: String) throws -> Double {
            try BenchProcess.timedRun(exe, ["plugins", "list", "--plugin-path", pluginDir, "--state-dir", stateDir],
                                      stderrPath: stderrPath)
        }

        progress("bench: \(floorRuns) runs of /bin/true (the spawn floor)")
        let floor = try (0..<floorRuns).map { _ in try BenchProcess.timedRun("/bin/true", [], stderrPath: stderrPath) }
        progress("bench: \(coldRuns) cold runs of `plugins list` (\(files) plugin files, empty state dir each)")
        let cold = try (0..<coldRuns).map { try list(stateDir: work + "/state-cold-\($0)") }
        progress("bench: \(warmRuns) warm runs of `plugins list` (one state dir, primed by an untimed run)")
        let warmState = work + "/state-warm"
        _ = try list(stateDir: warmState)
        let warm = try (0..<warmRuns).map { _ in try list(stateDir: warmState) }
        try verify(exe: exe, pluginDir: pluginDir, stateDir: warmState, work: work)

        return .measured(Figures(pluginFiles: files, floorMedian: median(floor), coldMedian: median(cold),
                                 warmMedian: median(warm)))
    }

    // MARK: - The plugins

    /// The template: two tools (a JSON tool and a typed C tool) with real schemas, like a small real plugin.
    /// `bench_q000` occurs in exactly three strings (plugin name and two tool names); copies rewrite it.
    static let source = #"""
        #include <wfhost/plugin.h>

        static wfh_status echo(const wfh_host *host, wfh_call *call, const wfh_request *request) {
            return host->set_result(call, request->args_json, request->args_len) == 0 ? WFH_OK : WFH_FAILED;
        }

        static double scale(double x, double factor) { return x * factor; }

        static const wfh_tool tools[] = {
            WFH_TOOL("bench_q000_echo", "Echo", "Returns its arguments unchanged.",
                     "{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\",\"maxLength\":4096},"
                     "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},"
                     "\"required\":[\"message\"],\"additionalProperties\":false}",
                     "{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\"}}}",
                     WFH_TOOL_IDEMPOTENT, echo),
            WFH_TYPED_TOOL("bench_q000_scale", "Scale", "Multiplies x by factor.",
                           "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"number\"},"
                           "\"factor\":{\"type\":\"number\",\"default\":2}},\"required\":[\"x\"]}",
                           WFH_TOOL_IDEMPOTENT, "f64 (f64 x, f64 factor)", scale),
        };

        WFH_PLUGIN_DEFINE("bench_q000", "1.0.0", "A generated plugin for wfhost bench.", "MIT", "wfhost bench",
                          NULL, tools)
        """#
    static let marker = Array("bench_q000".utf8)
    static let markerOccurrences = 3

    static func compileTemplate(cc: String, include: String, work: String) throws -> [UInt8] {
        let sourcePath = work + "/bench_plugin.c", output = work + "/template.so"
        try source.write(toFile: sourcePath, atomically: false, encoding: .utf8)
        try BenchProcess.check(cc, ["-std=c99", "-O2", "-shared", "-fPIC", "-I", include, "-o", output, sourcePath],
                               stderrPath: work + "/cc-stderr.txt")
        return Array(try Data(contentsOf: URL(fileURLWithPath: output)))
    }

    /// The template with every `bench_q000` rewritten to `bench_qNNN` (same length, so offsets stay valid).
    static func renamed(_ template: [UInt8], index: Int) throws -> [UInt8] {
        var bytes = template
        let replacement = Array("bench_q\(threeDigits(index))".utf8)
        var found = 0, i = 0
        while i + marker.count <= bytes.count {
            if bytes[i] == marker[0], bytes[i..<(i + marker.count)].elementsEqual(marker) {
                bytes.replaceSubrange(i..<(i + marker.count), with: replacement)
                found += 1
                i += marker.count
            } else {
                i += 1
            }
        }
        guard found == markerOccurrences else {
            throw BenchError("the compiled template holds 'bench_q000' \(found) times, not "
                             + "\(markerOccurrences); the copies would not be distinct plugins")
        }
        return bytes
    }

    static func threeDigits(_ n: Int) -> String {
        String(repeating: "0", count: max(0, 3 - String(n).count)) + String(n)
    }

    /// Checks, from the registry the timed runs used, that every generated plugin was scanned and is `ok`.
    static func verify(exe: String, pluginDir: String, stateDir: String, work: String) throws {
        let out = work + "/list.json"
        try BenchProcess.check(exe, ["plugins", "list", "--json", "--plugin-path", pluginDir, "--state-dir", stateDir],
                               stdoutPath: out, stderrPath: work + "/stderr.txt")
        let records = try JSONValue.parse(String(decoding: Data(contentsOf: URL(fileURLWithPath: out)), as: UTF8.self))["plugins"]?
            .arrayValue ?? [] // the JSON contract: lists are wrapped under their plural name (docs/json.md)
        let ok = Set(records.compactMap { r -> String? in
            guard r["status"]?.stringValue == "ok", let name = r["plugin"]?.stringValue,
                  name.hasPrefix("bench_q") else { return nil }
            return name
        })
        guard ok.count == pluginCount else {
            throw BenchError("only \(ok.count) of the \(pluginCount) generated plugins are listed as ok "
                             + "(see `wfhost plugins list --plugin-path \(pluginDir)`)")
        }
    }

    // MARK: - Helpers

    /// `<wfhost>/../include` (the install tree), else `SDK/include` in a source tree above the measured wfhost (a
    /// build folder such as `.build/debug`).
    static func sdkIncludeDirectory() -> String? {
        let exeDir = (BenchProcess.wfhostPath as NSString).deletingLastPathComponent
        guard !exeDir.isEmpty else { return nil }
        let fm = FileManager.default
        if fm.fileExists(atPath: exeDir + "/../include/wfhost/plugin.h") { return exeDir + "/../include" }
        var dir = URL(fileURLWithPath: exeDir)
        for _ in 0..<5 {
            dir.deleteLastPathComponent()
            if fm.fileExists(atPath: dir.path + "/SDK/include/wfhost/plugin.h") { return dir.path + "/SDK/include" }
        }
        return nil
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
