import FoundationEssentials
import WfhostPluginKit
#if canImport(Glibc)
import Glibc
#endif

/// The plugin's tools, in the order `wfhost plugins show` lists them.
enum ContainerizationTools {
    static let all: [Tool] = [
        AnalysisTools.analyze, AnalysisTools.generateDockerfile, AnalysisTools.validateDockerfile,
        AnalysisTools.scanSecrets, AnalysisTools.generateManifests,
        ImageTools.detect, ImageTools.build, ImageTools.tag, ImageTools.push, ImageTools.pull, ImageTools.scan,
        ClusterTools.deploy, ClusterTools.health,
    ]
}

/// Capabilities shared by several tools.
enum Sandbox {
    /// Reads anywhere; writes anywhere the user points it (a repository, an output directory).
    static let writesWhereTold = Capabilities(network: false, readPaths: ["/"], writePaths: ["/"])
    /// Reads anywhere, talks to registries and daemons, and lets container CLIs keep their state.
    static let containerCLI = Capabilities(network: true, readPaths: ["/"],
                                           writePaths: ["/tmp", "/var/tmp", "/run", "/var/lib/containers", "~"])
    /// Reads anywhere, uses the network, and lets CLIs (kubectl, trivy) keep caches and temporary files.
    static let network = Capabilities(network: true, readPaths: ["/"], writePaths: ["/tmp", "~"])
    /// Reads exactly the path given in the argument `name` (the host resolves `${arg:NAME}` for each call).
    static func readsArgument(_ name: String) -> Capabilities { Capabilities(readPaths: ["${arg:\(name)}"]) }
    /// Reads anywhere (to find and try the programs on PATH); writes nothing.
    static let readsEverything = Capabilities(readPaths: ["/"])
}

/// Writes `text` to `path`, creating parent directories.
func writeFile(_ text: String, to path: String) throws(ToolError) {
    let parent = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    do {
        if !parent.isEmpty { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    } catch {
        throw ToolError(code: "io_error", message: "cannot write \(path): \(error)")
    }
}

/// An output schema: the result is an object whose top-level keys `properties` declares (the keys it adds to the
/// session context); other keys are allowed and stay out of the context.
func outputSchema(_ properties: String) -> String {
    "{\"type\":\"object\",\"properties\":{\(properties)}}"
}

/// A JSON Schema object text from property definitions.
func objectSchema(_ properties: String, required: [String] = []) -> String {
    let req = required.isEmpty ? "" : ",\"required\":[" + required.map { "\"\($0)\"" }.joined(separator: ",") + "]"
    return "{\"type\":\"object\",\"properties\":{\(properties)}\(req),\"additionalProperties\":false}"
}
