#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import Schema

/// The MCP figures of `wfhost-bench` (issue 16, "Must show"): over one `wfhost mcp serve` session on stdio, the
/// median round trip of `tools/list` and of `tools/call` of `echo`, beside `wfhost call echo` run as a process
/// (what a client without MCP pays per call), all in the same run.
enum MCPBenchmark {
    static let listRuns = 50
    static let callRuns = 300
    static let cliRuns = 30

    struct Figures {
        var initializeMilliseconds: Double
        var listMedian: Double
        var callMedian: Double
        var cliCallMedian: Double
        var tools: Int
    }

    typealias Outcome = BenchOutcome<Figures>

    /// A JSON-RPC peer over a child's stdin/stdout, one message per line.
    final class Peer {
        let process = Process()
        let input = Pipe(), output = Pipe()
        var buffer: [UInt8] = []
        var nextID = 1

        init(_ executable: String, _ arguments: [String], environment: [String: String]) throws {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.environment = environment
            process.standardInput = input
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        func send(_ message: JSONValue) throws {
            try input.fileHandleForWriting.write(contentsOf: Data((message.serialized() + "\n").utf8))
        }

        /// The next line that is a response to `id` (notifications in between are skipped).
        func response(to id: Int) throws -> JSONValue {
            while true {
                let line = try readLine()
                guard let value = try? JSONValue.parse(line) else { continue } // the server writes JSON-RPC only; skip anything else
                if value["id"]?.intValue == id { return value }
            }
        }

        private func readLine() throws -> String {
            let fd = output.fileHandleForReading.fileDescriptor
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                if let newline = buffer.firstIndex(of: 10) {
                    let line = String(decoding: buffer[..<newline], as: UTF8.self)
                    buffer.removeSubrange(...newline)
                    return line
                }
                let n = read(fd, &chunk, chunk.count)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw BenchError("wfhost mcp serve closed its output") }
                buffer.append(contentsOf: chunk[0..<n])
            }
        }

        /// Sends a request and waits for its response; returns the response and the round trip in ms.
        func request(_ method: String, _ params: JSONValue) throws -> (JSONValue, Double) {
            let id = nextID
            nextID += 1
            let start = DispatchTime.now().uptimeNanoseconds
            try send(.object(["jsonrpc": "2.0", "id": .int(Int64(id)), "method": .string(method), "params": params]))
            let reply = try response(to: id)
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            if let error = reply["error"] { throw BenchError("\(method) failed: \(error)") }
            return (reply, ms)
        }

        func close() {
            try? input.fileHandleForWriting.close() // end of input ends the server
            process.waitUntilExit()
        }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    static func run(progress: (String) -> Void) throws -> Outcome {
        let wfhost = try BenchProcess.currentExecutable()
        guard let plugin = BenchProcess.corePlugin() else {
            return .skipped("the MCP benchmark needs the core plugin beside the measured wfhost")
        }
        let work = try BenchProcess.makeTemporaryDirectory()
        defer { BenchProcess.remove(work) }
        let plugins = work + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: plugin, toPath: plugins + "/core.so")
        var env = ProcessInfo.processInfo.environment
        env["WFHOST_STATE_DIR"] = work + "/state"
        env["WFHOST_PLUGIN_PATH"] = plugins
        env["HOME"] = work
        progress("bench: mcp (wfhost mcp serve on stdio: \(listRuns) tools/list, \(callRuns) tools/call echo; "
                 + "\(cliRuns) wfhost call echo)")
        // `wfhost call` first: it also warms the registry cache the server then reads.
        var cli: [Double] = []
        for _ in 0..<cliRuns {
            let start = DispatchTime.now().uptimeNanoseconds
            let p = Process()
            p.executableURL = URL(fileURLWithPath: wfhost)
            p.arguments = ["call", "echo", "--args", "{\"message\":\"hi\"}"]
            p.environment = env
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw BenchError("wfhost call echo exited \(p.terminationStatus)") }
            cli.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        let peer = try Peer(wfhost, ["mcp", "serve"], environment: env)
        defer { peer.close() }
        let (_, initMs) = try peer.request("initialize", .object([
            "protocolVersion": "2025-06-18", "capabilities": .object([:]),
            "clientInfo": .object(["name": "wfhost-bench", "version": "1"]),
        ]))
        try peer.send(.object(["jsonrpc": "2.0", "method": "notifications/initialized"]))
        var lists: [Double] = [], calls: [Double] = []
        var toolCount = 0
        for _ in 0..<listRuns {
            let (reply, ms) = try peer.request("tools/list", .object([:]))
            toolCount = reply["result"]?["tools"]?.arrayValue?.count ?? 0
            lists.append(ms)
        }
        for _ in 0..<callRuns {
            let (reply, ms) = try peer.request("tools/call", .object(["name": "echo", "arguments": .object(["message": "hi"])]))
            guard reply["result"]?["isError"]?.boolValue != true else { throw BenchError("echo over MCP failed: \(reply)") }
            calls.append(ms)
        }
        return .measured(Figures(initializeMilliseconds: initMs, listMedian: median(lists), callMedian: median(calls),
                                 cliCallMedian: median(cli), tools: toolCount))
    }

    static func text(_ outcome: Outcome) -> String {
        switch outcome {
        case .skipped(let reason): return "mcp benchmark: skipped: \(reason)"
        case .measured(let f):
            return [
                "mcp benchmark: one `wfhost mcp serve` session on stdio (medians)",
                String(format: "  initialize                 %8.2f ms (once)", f.initializeMilliseconds),
                String(format: "  tools/list (%3d tools)     %8.3f ms", f.tools, f.listMedian),
                String(format: "  tools/call echo            %8.3f ms", f.callMedian),
                String(format: "  wfhost call echo (process) %8.3f ms  (%.1fx the MCP call)", f.cliCallMedian,
                       f.cliCallMedian / max(0.001, f.callMedian)),
            ].joined(separator: "\n")
        }
    }

    static func json(_ outcome: Outcome) -> JSONValue {
        switch outcome {
        case .skipped(let reason): return .object(["skipped": .string(reason)])
        case .measured(let f):
            return .object(["initialize_ms": .double(f.initializeMilliseconds), "list_median_ms": .double(f.listMedian),
                            "call_median_ms": .double(f.callMedian), "cli_call_median_ms": .double(f.cliCallMedian),
                            "tools": .int(Int64(f.tools))])
        }
    }
}
