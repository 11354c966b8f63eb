import Testing
@testable import wfhost
import WorkflowHost

/// The one mapping of API error codes to exit codes (`Exit.forError`), against the table the README's "Exit codes"
/// and the DocC article "Errors" publish: 2 for what was asked, 3 for the host and its state.
@Suite struct ErrorCodeExitTests {
    /// The published table, code by code.
    static let published: [WorkflowHostError.Code: Int32] = [
        .invalidRequest: 2, .fileUnreadable: 2, .workflowInvalid: 2, .variableFileInvalid: 2, .secretInvalid: 2,
        .pluginProjectInvalid: 2,
        .stateUnavailable: 3, .storedValueUnknown: 3, .registryUnavailable: 3, .toolServersFileInvalid: 2,
        .workerUnavailable: 3, .environment: 3, .internalError: 3,
    ]

    @Test func everyCodeMapsToItsPublishedExitCode() {
        #expect(Set(WorkflowHostError.Code.all) == Set(Self.published.keys), "a code without a published exit code, or the reverse")
        #expect(Set(WorkflowHostError.Code.all.map(\.rawValue)).count == WorkflowHostError.Code.all.count, "two codes share a raw value")
        for code in WorkflowHostError.Code.all {
            #expect(Exit.forError(code).rawValue == Self.published[code], "\(code)")
        }
    }

    @Test func aCodeThisCLIDoesNotKnowIsAHostProblem() {
        #expect(Exit.forError(WorkflowHostError.Code(rawValue: "from_a_newer_library")).rawValue == 3)
    }

    @Test func rawValuesAreSnakeCase() {
        for code in WorkflowHostError.Code.all {
            #expect(code.rawValue.allSatisfy { ("a"..."z").contains($0) || $0 == "_" }, "\(code)")
            #expect(JSONContract.snakeCase(code.rawValue) == code.rawValue)
        }
    }
}
