import Isolation
import Registry

extension WorkflowHost {
    /// The directory of the running executable (`/proc/self/exe`), or nil when it cannot be read.
    public static var executableDirectory: String? { WorkerLocator.executableDirectory() }

    /// The worker the host would start with `environment` (`WFHOST_WORKER`, else beside the executable or in
    /// `libexec/wfhost`), or nil when there is none.
    public static func workerPath(environment: [String: String]) -> String? {
        try? WorkerLocator.workerPath(environment: environment) // none found: the caller says where it looked
    }

    /// Whether `name` is a valid plugin or tool name: `[a-z][a-z0-9_]*`.
    public static func isValidPluginName(_ name: String) -> Bool { PluginValidator.isValidName(name) }
}
