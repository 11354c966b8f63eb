import WfhostPluginSDK

/// Versions of this wfhost build.
public enum WorkflowHostInfo {
    /// The host's semantic version.
    public static let version = "0.1.0"
    /// The plugin ABI this host loads: WFH_ABI_MAJOR.WFH_ABI_MINOR of SDK/include/wfhost/plugin.h, read from it.
    public static let abiMajor = Int(WFH_ABI_MAJOR)
    public static let abiMinor = Int(WFH_ABI_MINOR)
    /// `wfhost --version` prints this line.
    public static var versionLine: String { "wfhost \(version) (plugin ABI \(abiMajor).\(abiMinor))" }
}
