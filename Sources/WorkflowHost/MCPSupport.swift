import Registry

// What the CLI's plugin commands and `wfhost mcp serve` need of the registry beyond a snapshot: checking plugin
// files that are not on the plugin path. Tool calls go through `ToolCalls` (`Calls.swift`), for both.

extension WorkflowHost {
    /// Loads and checks plugin files as `wfhost plugins validate` does: each file (or each `*.so` in a
    /// directory) scanned in the sandbox, nothing kept in the state database.
    ///
    /// ```swift
    /// let checked = try host.validatePlugins(paths: ["build/hello.so"])
    /// for finding in checked.findings { print(finding) }
    /// ```
    /// - Parameter paths: plugin files, or directories whose `*.so` files are checked.
    /// - Returns: a snapshot with one record per file found (none for a path that does not exist).
    /// - Throws: `WorkflowHostError` with code `workerUnavailable` or `registryUnavailable` when the scanner
    ///   cannot be prepared.
    public func validatePlugins(paths: [String]) throws(WorkflowHostError) -> RegistrySnapshot {
        try registry(cached: false).validate(paths: paths)
    }
}
