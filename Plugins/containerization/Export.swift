import WfhostPluginKit

/// The plugin, created once (Swift globals are initialised lazily and thread-safely).
let containerization = Plugin(
    name: "containerization", version: "1.0.0",
    description: "Analyses repositories, writes and checks Dockerfiles, scans for secrets, builds, scans and deploys images through the container CLIs found on PATH.",
    license: "Apache-2.0", author: "wfhost", homepage: "https://github.com/wfhost/wfhost",
    tools: ContainerizationTools.all)

/// The plugin's entry symbol.
@_cdecl("wfhost_plugin_descriptor")
public func wfhostPluginDescriptor() -> UnsafeRawPointer { containerization.descriptor }
