import Spec

/// The one place the workflow commands get a tool catalog from the plugin registry.
///
/// Returns nil until the registry is wired in, which makes `validate` and `analyze` behave as with
/// `--no-registry`. Replace the body with a catalog over the registry and the Schema module.
/// - Throws: an environment error (exit 3) when the registry cannot be read.
func makeToolCatalog(global: GlobalOptions) throws -> (any ToolCatalog)? {
    nil
}
