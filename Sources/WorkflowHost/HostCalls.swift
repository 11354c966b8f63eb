import Foundation
import Isolation

extension WorkflowHost {
    /// A call executor using this host's worker, logging a missing sandbox once through `notice`.
    public func makeExecutor(notice: @escaping @Sendable (String) -> Void) throws(HostError) -> CallExecutor {
        let scanner = try scanner()
        let executor = CallExecutor(workerPath: scanner.workerPath, baseEnvironment: configuration.environment)
        executor.hiddenPaths = configuration.maskedPaths
        executor.trust = try trust()
        executor.onSandboxUnavailable = notice
        return executor
    }

    /// A fresh working directory for one call or session under the state directory.
    public func makeWorkDirectory(_ label: String) throws(HostError) -> String {
        let dir = configuration.stateDirectory + "/work/\(label)-\(UUID().uuidString.prefix(8).lowercased())"
        if let failure = Directories.create(dir) {
            throw HostError("cannot create the work directory \(dir): \(failure)",
                            hint: "check that the state directory is writable (--state-dir)")
        }
        return dir
    }
}
