// swift-tools-version: 6.1
// WfhostPluginKit as a package of its own, for plugins outside this repository: `make` installs this directory (its
// links resolved) as share/wfhost/sdk/swift, and a plugin's Package.swift names it with .package(path:) and
// .product(name: "WfhostPluginKit", package: "swift"). `wfhost plugins new NAME --lang swift` writes such a package.
// In this repository the root Package.swift builds the same sources as its WfhostPluginKit target.
import PackageDescription

let package = Package(
    name: "WfhostPluginKit",
    products: [.library(name: "WfhostPluginKit", targets: ["WfhostPluginKit"])],
    targets: [
        // The C header <wfhost/plugin.h> as a module (the kit imports it as WfhostPluginSDK).
        .target(name: "WfhostPluginSDK", path: "WfhostPluginSDK", publicHeadersPath: "include"),
        .target(name: "WfhostPluginKit", dependencies: ["WfhostPluginSDK"], path: "WfhostPluginKit"),
    ],
    swiftLanguageModes: [.v6]
)
