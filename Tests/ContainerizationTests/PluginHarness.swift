import Foundation
import WfhostPluginSDK

/// Loads the containerization plugin into this test process and calls its tools through a stand-in host.
///
/// This process has the toolchain's shared Swift runtime and Foundation; the plugin carries its own, linked in
/// statically and kept private (only `wfhost_plugin_descriptor` is exported). Every test here therefore also
/// checks that two Swift runtimes live in one process without binding to each other's symbols.
final class PluginHarness: @unchecked Sendable {
    // @unchecked: `lock` serialises calls; the recorder is only touched inside `call`, under the lock.
    struct Outcome {
        var status: wfh_status
        var result: String?
        var error: (code: String, message: String, retryable: Bool)?
        var logs: [String]
    }

    struct LoadError: Error, CustomStringConvertible { var description: String }

    static let shared: Result<PluginHarness, LoadError> = open(Paths.plugin)

    static func load() throws -> PluginHarness { try shared.get() }

    /// Loads the shared object at `path` (never unloaded).
    static func open(_ path: String) -> Result<PluginHarness, LoadError> {
        // RTLD_NODELETE: a Swift plugin must never be unloaded (its metadata stays registered).
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            return .failure(LoadError(description: "dlopen \(path): \(String(cString: dlerror()))"))
        }
        guard let symbol = dlsym(handle, WFH_ENTRY_SYMBOL) else {
            return .failure(LoadError(description: "\(path) exports no \(WFH_ENTRY_SYMBOL)"))
        }
        let entry = unsafeBitCast(symbol, to: wfh_plugin_entry_fn.self)
        guard let descriptor = entry() else { return .failure(LoadError(description: "the descriptor is NULL")) }
        return .success(PluginHarness(descriptor: descriptor))
    }

    let descriptor: UnsafePointer<wfh_plugin>
    /// One lock for every harness: the recorder the callbacks write to is shared.
    private static let lock = NSLock()
    private var lock: NSLock { Self.lock }

    private init(descriptor: UnsafePointer<wfh_plugin>) { self.descriptor = descriptor }

    var toolNames: [String] {
        (0..<Int(descriptor.pointee.tool_count)).map { String(cString: tool(at: $0).pointee.name) }
    }

    func tool(at i: Int) -> UnsafePointer<wfh_tool> {
        UnsafeRawPointer(descriptor.pointee.tools).advanced(by: i * Int(descriptor.pointee.tool_size))
            .assumingMemoryBound(to: wfh_tool.self)
    }

    func tool(named name: String) -> UnsafePointer<wfh_tool>? {
        (0..<Int(descriptor.pointee.tool_count)).map(tool(at:)).first { String(cString: $0.pointee.name) == name }
    }

    /// Calls `name` with `arguments` (JSON text) and returns what the tool reported.
    func call(_ name: String, _ arguments: String, workDirectory: String = NSTemporaryDirectory()) -> Outcome {
        lock.lock()
        defer { lock.unlock() }
        guard let tool = tool(named: name), let invoke = tool.pointee.invoke else {
            return Outcome(status: WFH_FAILED, result: nil, error: ("harness", "no tool \(name)", false), logs: [])
        }
        Recorder.current = Recorder()
        var host = wfh_host(struct_size: UInt32(MemoryLayout<wfh_host>.size), reserved: 0,
                            set_result: Recorder.setResult, log: Recorder.log, progress: Recorder.progress,
                            report_error: Recorder.reportError, is_cancelled: Recorder.isCancelled)
        let status = name.withCString { cname in
            arguments.withCString { cargs in
                workDirectory.withCString { cwork in
                    var request = wfh_request(struct_size: UInt32(MemoryLayout<wfh_request>.size), attempt: 1, tool: cname,
                                              args_json: cargs, args_len: arguments.utf8.count, work_dir: cwork)
                    return invoke(&host, OpaquePointer(bitPattern: 0x1), &request)
                }
            }
        }
        let r = Recorder.current
        return Outcome(status: status, result: r.result, error: r.error, logs: r.logs)
    }

    /// What the stand-in host callbacks saw during one call.
    struct Recorder {
        nonisolated(unsafe) static var current = Recorder()
        var result: String?
        var error: (code: String, message: String, retryable: Bool)?
        var logs: [String] = []

        static let setResult: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int) -> Int32 = { _, json, len in
            guard let json else { return -1 }
            current.result = String(decoding: UnsafeRawBufferPointer(start: json, count: len), as: UTF8.self)
            return 0
        }
        static let log: @convention(c) (OpaquePointer?, wfh_log_level, UnsafePointer<CChar>?, Int) -> Void = { _, _, text, len in
            guard let text else { return }
            current.logs.append(String(decoding: UnsafeRawBufferPointer(start: text, count: len), as: UTF8.self))
        }
        static let progress: @convention(c) (OpaquePointer?, Double, UnsafePointer<CChar>?) -> Void = { _, _, _ in }
        static let reportError: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, Int32) -> Void = { _, code, message, retryable in
            current.error = (code.map { String(cString: $0) } ?? "", message.map { String(cString: $0) } ?? "", retryable != 0)
        }
        static let isCancelled: @convention(c) (OpaquePointer?) -> Int32 = { _ in 0 }
    }
}
