import Foundation
import MCP
import WorkflowHost

/// The MCP server over one host: `tools/list` and `tools/call` for every registry tool and the workflow tools.
final class WfhostMCPServer: Sendable {
    let host: WorkflowHost
    /// The tool calls' one executor and its workers (`refreshed()` for each request's registry).
    let calls: ToolCalls
    let server: Server
    let log: ServerLog
    let workflowsDirectory: String?
    let activity = ActivityTracker()
    let clientLog: ClientLog
    /// The workflow tools' compiled input schemas, checked like a plugin tool's.
    let workflowSchemas: [WorkflowTool: CompiledSchema]

    init(host: WorkflowHost, calls: ToolCalls, server: Server, log: ServerLog, workflowsDirectory: String?) {
        self.host = host
        self.calls = calls
        self.server = server
        self.log = log
        self.workflowsDirectory = workflowsDirectory
        clientLog = ClientLog(server: server)
        var schemas: [WorkflowTool: CompiledSchema] = [:]
        for tool in WorkflowTool.allCases {
            // Our own literal schemas; one that does not compile accepts nothing, which the tests would show.
            schemas[tool] = (try? CompiledSchema.compile(jsonText: Array(tool.inputSchemaText.utf8))) ?? .rejectingEverything
        }
        workflowSchemas = schemas
    }

    func register() async {
        await server.withMethodHandler(ListTools.self) { [self] _ in try listTools() }
        await server.withMethodHandler(CallTool.self) { [self] params in try await callTool(params) }
        await server.withMethodHandler(SetLoggingLevel.self) { [clientLog] params in
            clientLog.setLevel(params.level)
            return Empty()
        }
    }

    // MARK: - tools/list

    func listTools() throws -> ListTools.Result {
        let snapshot: RegistrySnapshot
        do {
            snapshot = try host.refreshedRegistry()
        } catch {
            throw MCPError.internalError(error.description)
        }
        let predefined = PredefinedWorkflowTool.load(directory: workflowsDirectory)
        let catalog = PluginToolCatalog(snapshot: snapshot, reserved: reservedNames(predefined))
        return ListTools.Result(tools: workflowListings() + predefined.map(\.listing) + catalog.tools.map(\.listing))
    }

    /// Names plugin tools do not get bare: the workflow tools' and the predefined workflows'.
    func reservedNames(_ predefined: [PredefinedWorkflowTool]) -> Set<String> {
        WorkflowTool.names.union(predefined.map(\.mcpName))
    }

    func workflowListings() -> [Tool] {
        WorkflowTool.allCases.map { tool in
            Tool(name: tool.rawValue, description: tool.summary,
                 inputSchema: ValueBridge.value(workflowSchemas[tool]?.document ?? .object(["type": "object"])),
                 annotations: tool.annotations)
        }
    }

    // MARK: - tools/call

    func callTool(_ params: CallTool.Parameters) async throws -> CallTool.Result {
        let arguments = ValueBridge.arguments(params.arguments)
        let progress = params._meta?.progressToken.map { ProgressForwarder(token: $0, server: server) }
        let result: CallTool.Result
        if let tool = WorkflowTool(rawValue: params.name) {
            result = await callWorkflowTool(tool, arguments: arguments, progress: progress)
        } else if params.name.hasPrefix(PredefinedWorkflowTool.prefix),
                  let tool = PredefinedWorkflowTool.load(directory: workflowsDirectory).first(where: { $0.mcpName == params.name }) {
            result = await callPredefined(tool, arguments: arguments, progress: progress)
        } else {
            do {
                result = try await callPluginTool(params.name, arguments: arguments, progress: progress)
            } catch {
                await progress?.finish()
                throw error
            }
        }
        await progress?.finish()
        return result
    }

    /// One registry tool, called as `wfhost call` calls it.
    /// - Throws: `MCPError.invalidParams` for a name no tool has (a protocol error, as the specification asks).
    func callPluginTool(_ name: String, arguments: JSONValue, progress: ProgressForwarder?) async throws -> CallTool.Result {
        let current: ToolCalls
        do {
            current = try calls.refreshed()
        } catch {
            return ToolResults.failure(error.description)
        }
        let reserved = reservedNames(PredefinedWorkflowTool.load(directory: workflowsDirectory))
        let catalog = PluginToolCatalog(snapshot: current.snapshot, reserved: reserved)
        guard let tool = catalog.tool(named: name) else {
            let suggestion: String
            if case .ambiguous(let tools) = current.snapshot.resolve(name) {
                suggestion = "; it is ambiguous: name one of " + tools.map(\.qualifiedName).joined(separator: ", ")
            } else {
                suggestion = "; tools/list lists the tools"
            }
            throw MCPError.invalidParams("Unknown tool: \(name)\(suggestion)")
        }
        let qualified = tool.tool.qualifiedName
        let cancellation = CallCancellation()
        let id = await activity.callStarted(cancellation)
        let log = self.log, clientLog = self.clientLog
        let outcome: Result<CallSuccess, CallFailure>
        do {
            outcome = try await withTaskCancellationHandler {
                try await current.call(tool.tool, arguments: arguments, cancellation: cancellation) { event in
                    switch event {
                    case .log(let level, let message):
                        log.info("\(qualified): [\(level)] \(message)")
                        clientLog.send(ClientLog.level(level), logger: qualified, .string(message))
                    case .progress(let fraction, let message): progress?.report(fraction: fraction, message: message)
                    }
                }
            } onCancel: {
                cancellation.cancel(reason: "cancelled by the MCP client (notifications/cancelled)")
            }
        } catch {
            await activity.callEnded(id)
            return ToolResults.failure(ToolResults.describe(error))
        }
        await activity.callEnded(id)
        switch outcome {
        case .success(let success):
            log.debug("\(qualified): succeeded in \(success.duration)")
            let structured = tool.shape.structured(success.result)
            return CallTool.Result(content: [.text(text: success.result.serialized(), annotations: nil, _meta: nil)],
                                   structuredContent: ValueBridge.value(structured) as Value?, isError: false)
        case .failure(let failure):
            log.info("\(qualified): failed: \(failure.failureClass): \(failure.message)")
            var text = "error: \(qualified) failed: \(failure.failureClass): \(failure.message)"
                + (failure.hint.map { "\n  hint: \($0)" } ?? "")
            let stderr = failure.stderrTail.trimmingCharacters(in: .newlines)
            if !stderr.isEmpty { text += "\n--- stderr (tail) ---\n" + stderr }
            return ToolResults.failure(text)
        }
    }

    // MARK: - Workflow tools

    func callWorkflowTool(_ tool: WorkflowTool, arguments: JSONValue, progress: ProgressForwarder?) async -> CallTool.Result {
        if let schema = workflowSchemas[tool] {
            let violations = schema.validate(arguments)
            if !violations.isEmpty {
                return ToolResults.failure("error: \(tool.rawValue) failed: invalid_args: the arguments do not match its input schema:\n"
                                           + violations.map { "  \($0.description)" }.joined(separator: "\n"))
            }
        }
        do {
            switch tool {
            case .run: return try await run(arguments, progress: progress)
            case .resume: return try await resume(arguments, progress: progress)
            case .retry:
                let session = arguments["session"]?.stringValue ?? "", stage = arguments["stage"]?.stringValue ?? ""
                let reset = try host.resetStage(session, stage: stage, downstream: arguments["downstream"]?.boolValue ?? false)
                log.info("session \(session): reset \(reset.joined(separator: ", ")) for a retry")
                return try await resume(arguments, progress: progress)
            case .validate: return try validate(arguments)
            case .workflows: return workflows()
            case .sessions:
                let status = arguments["status"]?.stringValue.flatMap(SessionStatus.init(rawValue:))
                let limit = min(max(arguments["limit"]?.intValue ?? 50, 1), 1000) // the schema's bounds
                let sessions = try host.listSessions(status: status, workflow: arguments["workflow"]?.stringValue)
                return ToolResults.success(.object(["sessions": .array(sessions.prefix(limit).map(SessionJSON.session)),
                                                    "total": .int(Int64(sessions.count))]))
            case .status:
                return ToolResults.success(SessionJSON.status(try host.status(of: arguments["session"]?.stringValue ?? "")))
            case .cancel, .pause:
                let session = arguments["session"]?.stringValue ?? ""
                let message = tool == .cancel ? try host.cancel(session) : try host.pause(session)
                return ToolResults.success(.object(["session": .string(session), "message": .string(message)]))
            }
        } catch {
            return ToolResults.failure(ToolResults.describe(error))
        }
    }

    /// A predefined workflow's own tool: its arguments are the variables; it runs to its end.
    func callPredefined(_ tool: PredefinedWorkflowTool, arguments: JSONValue, progress: ProgressForwarder?) async -> CallTool.Result {
        let violations = tool.schema.validate(arguments)
        if !violations.isEmpty {
            return ToolResults.failure("error: \(tool.mcpName) failed: invalid_args: the arguments do not match its input schema:\n"
                                       + violations.map { "  \($0.description)" }.joined(separator: "\n"))
        }
        do {
            return try await run(.object(["workflow": .string(tool.file), "variables": arguments]), progress: progress)
        } catch {
            return ToolResults.failure(ToolResults.describe(error))
        }
    }

    private func variables(_ arguments: JSONValue) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (k, v) in arguments["variables"]?.objectValue?.members ?? [] { out[k] = v }
        return out
    }

    func run(_ arguments: JSONValue, progress: ProgressForwarder?) async throws -> CallTool.Result {
        let wait = arguments["wait"]?.boolValue ?? true
        let prepared = try prepareRun(arguments, progress: wait ? progress : nil)
        return await drive(prepared, wait: wait, progress: progress)
    }

    /// Prepares a `wfhost_run` (a predefined workflow's tool passes its file and variables the same way): the
    /// session is stored, nothing runs yet.
    /// - Parameter progress: where the run's progress goes (nil: nowhere).
    /// - Throws: `WorkflowHostError` for a workflow that is not found or does not prepare.
    func prepareRun(_ arguments: JSONValue, progress: ProgressForwarder?) throws -> PreparedRun {
        let source = try WorkflowSource.from(arguments, workflowsDirectory: workflowsDirectory)
        var options = RunOptions()
        options.variables = variables(arguments)
        options.maxConcurrency = arguments["max_concurrency"]?.intValue
        let sink = RunProgressSink(progress: progress, log: log, clientLog: clientLog)
        let file: String
        var inlineFile: String?
        switch source {
        case .file(let path):
            file = path
        case .inline(let text):
            file = try writeInline(text)
            inlineFile = file
        }
        // The session keeps the workflow's text; the inline file is only read while preparing.
        defer { if let inlineFile { try? FileManager.default.removeItem(atPath: inlineFile) } }
        return try host.prepareRun(file: file, options: options, sink: sink)
    }

    func resume(_ arguments: JSONValue, progress: ProgressForwarder?) async throws -> CallTool.Result {
        var options = RunOptions()
        options.variables = variables(arguments)
        let wait = arguments["wait"]?.boolValue ?? true
        let sink = RunProgressSink(progress: wait ? progress : nil, log: log, clientLog: clientLog)
        let prepared = try host.prepareResume(arguments["session"]?.stringValue ?? "", options: options, sink: sink)
        return await drive(prepared, wait: wait, progress: progress)
    }

    /// Runs a prepared session: to its end (cancelling the request cancels the run), or in the background.
    private func drive(_ prepared: PreparedRun, wait: Bool, progress: ProgressForwarder?) async -> CallTool.Result {
        let task = await activity.start(prepared)
        let workflow = prepared.workflow.metadata.name
        guard wait else {
            return ToolResults.success(.object(["session": .string(prepared.session), "workflow": .string(workflow),
                                                "status": .string(SessionStatus.running.rawValue),
                                                "work_dir": .string(prepared.workDirectory)]))
        }
        let result = await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            Task { await prepared.cancel(reason: "cancelled by the MCP client (notifications/cancelled)") }
        }
        let json = SessionJSON.run(result, workflow: workflow, secrets: prepared.secrets)
        let failed = result.stages.filter { $0.status == .failed }.map { r in
            "  \(r.stage): \(r.errorClass ?? "failed")" + (r.errorMessage.map { ": \($0)" } ?? "")
        }
        return Self.runResult(json, session: result.session, workflow: workflow, status: result.status,
                              stopReason: result.stopReason, failedStages: failed)
    }

    /// A run's tool result: success when it succeeded, else an error result whose text names the failed stages
    /// (`failedStages`: one line each) and the structured JSON still.
    static func runResult(_ json: JSONValue, session: String, workflow: String, status: SessionStatus, stopReason: String?,
                          failedStages failed: [String]) -> CallTool.Result {
        guard status == .succeeded else {
            let text = "error: session \(session) (\(workflow)) \(status.rawValue)"
                + (stopReason.map { ": \($0)" } ?? "") + (failed.isEmpty ? "" : "\n" + failed.joined(separator: "\n"))
                + "\n  hint: wfhost_status shows every stage; wfhost_resume continues the session"
            return ToolResults.failure(text, structured: json)
        }
        return ToolResults.success(json)
    }

    /// Writes inline YAML to a file under the state directory, for `prepareRun` to read.
    private func writeInline(_ text: String) throws -> String {
        let dir = host.configuration.stateDirectory + "/mcp"
        let file = dir + "/inline-\(UUID().uuidString.prefix(8).lowercased()).yaml"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        } catch {
            throw WorkflowHostError(.environment, "cannot write the inline workflow to \(file): \(error.localizedDescription)",
                                    hint: "check that the state directory is writable (--state-dir)", location: file)
        }
        return file
    }

    func validate(_ arguments: JSONValue) throws -> CallTool.Result {
        let source = try WorkflowSource.from(arguments, workflowsDirectory: workflowsDirectory)
        let text: String, file: String
        switch source {
        case .file(let path):
            file = path
            text = try WorkflowHost.readWorkflowFile(path)
        case .inline(let yaml):
            file = "inline.yaml"
            text = yaml
        }
        let snapshot = try host.refreshedRegistry()
        let report = host.validateWorkflow(text: text, file: file, externalVariables: Set(variables(arguments).keys),
                                           snapshot: snapshot)
        return ToolResults.success(SessionJSON.validation(report))
    }

    func workflows() -> CallTool.Result {
        guard let dir = workflowsDirectory else {
            return ToolResults.success(.object(["workflows": .array([]), "directory": .null]))
        }
        let items = WorkflowHost.predefinedWorkflows(in: dir).map { predefined -> JSONValue in
            .object([
                "name": .string(predefined.name), "file": .string(predefined.file),
                "description": .string(predefined.description ?? ""),
                "valid": .bool(predefined.isValid),
                "stages": .int(Int64(predefined.stageCount ?? 0)),
                "variables": .array((predefined.workflow?.variables ?? []).map { v in
                    .object(["name": .string(v.name), "default": v.isSecret ? .string(Secrets.replacement) : v.value.jsonValue])
                }),
            ])
        }
        return ToolResults.success(.object(["workflows": .array(items), "directory": .string(dir)]))
    }
}
