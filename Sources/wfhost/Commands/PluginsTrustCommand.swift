import ArgumentParser
import WorkflowHost

/// `wfhost plugins trust PATH...`: records plugin files' SHA-256 in the trust file.
struct PluginsTrust: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust",
        abstract: "Record plugin files' SHA-256 in the trust file, for --require-trusted.",
        discussion: """
            With --require-trusted or WFHOST_REQUIRE_TRUSTED=1, wfhost loads only plugin files whose SHA-256 is in \
            the trust file, which is WFHOST_TRUST_FILE, else trusted-plugins.lock in the state directory (hidden \
            from every tool's sandbox). Its lines are sha256sum's. Trusting hashes a file and loads nothing; a \
            rebuilt file must be trusted again. Exit codes: 0 recorded; 2 a path that is not a file or holds no \
            plugins; 3 the trust file cannot be read or written.
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Plugin files, or directories whose *.so files are trusted.") var paths: [String]

    func run() throws {
        let host = global.host()
        let trusted = try runReportingHostErrors { try host.trustPlugins(paths: paths) }
        for t in trusted { print("trusted \(t.path) (sha256 \(t.sha256))") }
        print("wrote \(host.configuration.trustFile)")
    }
}
