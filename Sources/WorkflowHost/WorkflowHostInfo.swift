import WfhostPluginSDK

/// Versions of this wfhost build.
public enum WorkflowHostInfo {
    /// The host's semantic version.
    public static let version = "0.1.0"
    /// The plugin ABI this host loads: WFH_ABI_MAJOR.WFH_ABI_MINOR of SDK/include/wfhost/plugin.h, read from it.
    public static let abiMajor = Int(WFH_ABI_MAJOR)
    /// The minor plugin ABI version (WFH_ABI_MINOR), raised by each addition to the header ("Since 1.N"). Only
    /// the major must match for a plugin to load: fields past a plugin's `struct_size` read as zero.
    public static let abiMinor = Int(WFH_ABI_MINOR)
    /// `wfhost --version` prints this line.
    public static var versionLine: String { "wfhost \(version) (plugin ABI \(abiMajor).\(abiMinor))" }
}
