import Spec
import WorkflowHost

/// The one place the workflow commands get a tool catalog: the plugin registry, brought up to date.
/// - Throws: an environment error (exit 3) when the registry cannot be read.
func makeToolCatalog(global: GlobalOptions) throws -> (any ToolCatalog)? {
    let snapshot = try runReportingHostErrors { try global.host().refreshedRegistry() }
    return RegistryCatalog(snapshot: snapshot)
}
