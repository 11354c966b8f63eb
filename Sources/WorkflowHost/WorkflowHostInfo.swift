/// Versions of this wfhost build.
public enum WorkflowHostInfo {
    /// The host's semantic version.
    public static let version = "0.1.0"
    /// The plugin ABI this host loads (WFH_ABI_MAJOR.WFH_ABI_MINOR in SDK/include/wfhost/plugin.h).
    public static let abiMajor = 1
    public static let abiMinor = 0
    /// `wfhost --version` prints this line.
    public static var versionLine: String { "wfhost \(version) (plugin ABI \(abiMajor).\(abiMinor))" }
}
