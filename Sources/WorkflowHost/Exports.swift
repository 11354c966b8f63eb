// The types of the modules below WorkflowHost that its public API hands out and takes, re-exported one by one so
// that a caller (the CLI, wfhost-mcp, an embedding program) imports `WorkflowHost` alone.
//
// Only vocabulary is re-exported: values a caller reads, builds or passes back (JSON values, the typed workflow
// and its diagnostics, stored records, run options, events and results, call outcomes, plugin records) and the
// one definition of the limits every option is checked against. Wrapping each of these in a WorkflowHost copy
// would be a second definition of the same contract to keep in step. What the modules *do* (validating, planning,
// rendering, scheduling, calling tools, reading variable files) stays behind WorkflowHost's own functions
// (`Validation.swift`, `Planning.swift`, `Calls.swift`, `RunHandle.swift`): the engine, the tool runner, the call
// executor, the validator and the loaders are not re-exported.

// Schema: JSON values and compiled schemas (`wfhost schema check`).
@_exported import enum Schema.JSONValue
@_exported import struct Schema.JSONObject
@_exported import struct Schema.JSONFormatting
@_exported import struct Schema.JSONParseError
@_exported import struct Schema.CompiledSchema
@_exported import struct Schema.SchemaCompileError
@_exported import struct Schema.SchemaCompileErrors

// Spec: the typed workflow, its diagnostics, durations and the limits of every number a user gives.
@_exported import struct Spec.Workflow
@_exported import struct Spec.Stage
@_exported import struct Spec.ToolInvocation
@_exported import struct Spec.SpecValue
@_exported import struct Spec.SourceLocation
@_exported import struct Spec.Diagnostic
@_exported import struct Spec.ErrorRoute
@_exported import enum Spec.ErrorField
@_exported import enum Spec.ConditionOperator
@_exported import enum Spec.RouteAction
@_exported import enum Spec.Limits
@_exported import enum Spec.DurationText
@_exported import enum Spec.Suggestions

// Plan: what validation and analysis report.
@_exported import struct Plan.ValidationReport
@_exported import struct Plan.ExecutionPlan
@_exported import struct Plan.WorkflowAnalysis
@_exported import enum Plan.GraphFormat
@_exported import enum Plan.CriticalPathWeighting

// Store: the stored records of sessions, stages, attempts and events.
@_exported import enum Store.SessionStatus
@_exported import enum Store.StageStatus
@_exported import struct Store.SessionRecord
@_exported import struct Store.StageRecord
@_exported import struct Store.AttemptRecord
@_exported import struct Store.EventRecord
@_exported import struct Store.StoredValueError

// Engine: run options, events, sinks and results; the secrets masker the reports use.
@_exported import struct Engine.RunOptions
@_exported import struct Engine.RunResult
@_exported import enum Engine.RunEvent
@_exported import struct Engine.StageFailure
@_exported import protocol Engine.RunEventSink
@_exported import struct Engine.CombinedSink
@_exported import class Engine.EventRecorder
@_exported import class Engine.JSONLinesSink
@_exported import struct Engine.Secrets
@_exported import struct Engine.CallOptions
@_exported import struct Isolation.CallLimits

// Isolation: how a call is isolated, how it ended, and how to cancel it.
@_exported import enum Isolation.IsolationMode
@_exported import struct Isolation.FailureClass
@_exported import struct Isolation.CallFailure
@_exported import struct Isolation.CallSuccess
@_exported import enum Isolation.CallEvent
@_exported import class Isolation.CallCancellation
@_exported import enum Isolation.TerminalText
@_exported import struct Isolation.ToolServerConfig
@_exported import struct Isolation.ToolServerError

// Registry: plugins and tools as the registry knows them.
@_exported import struct Registry.PluginRecord
@_exported import struct Registry.RegisteredTool
@_exported import struct Registry.ToolExample
@_exported import struct Registry.Finding
@_exported import struct Registry.RegistrySnapshot
@_exported import enum Registry.ExampleMatch
@_exported import enum Registry.Suggest
@_exported import struct Registry.ToolServerRecord
@_exported import enum Registry.ToolServerStatus
