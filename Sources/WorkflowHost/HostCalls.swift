import Foundation
import Isolation

extension WorkflowHost {
    /// A call executor using this host's worker, logging a missing sandbox once through `notice`.
    func makeExecutor(notice: @escaping @Sendable (String) -> Void) throws(WorkflowHostError) -> CallExecutor {
        let scanner = try scanner()
        let executor = CallExecutor(workerPath: scanner.workerPath, baseEnvironment: configuration.environment)
        executor.hiddenPaths = configuration.maskedPaths
        executor.trust = try trust()
        executor.onSandboxUnavailable = notice
        return executor
    }

    /// A fresh working directory for one call under the state directory.
    /// - Parameter label: the start of its name (`call`, `debug`).
    /// - Returns: its path.
    /// - Throws: `WorkflowHostError` with code `environment` when it cannot be created.
    public func makeWorkDirectory(_ label: String) throws(WorkflowHostError) -> String {
        let dir = configuration.stateDirectory + "/work/\(label)-\(UUID().uuidString.prefix(8).lowercased())"
        if let failure = Directories.create(dir) {
            throw WorkflowHostError(.environment, "cannot create the work directory \(dir): \(failure)",
                            hint: "check that the state directory is writable (--state-dir)")
        }
        return dir
    }
}
