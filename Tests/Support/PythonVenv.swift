import Foundation

/// The Python virtual environments the tests drive real clients from (the official MCP client, junitparser), one per
/// package set, kept in `.build/test-venvs/NAME` and shared by every test and test process: `make test` prepares
/// them before the tests (`scripts/test-venvs.sh`), so that no test blocks a thread of Swift's cooperative pool (two,
/// on a 2-core machine) for the minute a `pip install` takes, which stalled every in-process engine test with it. A
/// test that finds its venv missing or broken makes it itself, once per process.
public enum PythonVenv {
    /// The package sets, by venv name; `scripts/test-venvs.sh` installs the same (`NAME PACKAGE...` lines).
    public static let packages: [String: [String]] = [
        "mcp": ["mcp>=2,<3"],
        "junit": ["junitparser", "xmlschema"],
    ]
    /// The module each venv must import to count as ready.
    static let probes: [String: String] = ["mcp": "import mcp", "junit": "import junitparser, xmlschema"]

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// PyPI cannot be reached from this machine: the caller skips its test with `reason` (this target cannot import
    /// Testing: the release build of the package compiles it too).
    public struct Unreachable: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    private static let lock = NSLock()

    /// The venv's directory (its python is `DIR/bin/python`), made when missing.
    /// - Throws: `Unreachable` when PyPI cannot be reached (the test skips, saying why); `Failure` when python3
    ///   cannot make a venv or pip fails although PyPI answers.
    public static func directory(_ name: String) throws -> String {
        let dir = TestSupport.repoRoot + "/.build/test-venvs/" + name
        let probe = probes[name] ?? "pass"
        func ready() -> Bool { (try? TestSupport.run(dir + "/bin/python", ["-c", probe]).status) == 0 }
        if ready() { return dir }
        lock.lock()
        defer { lock.unlock() }
        if ready() { return dir }
        try? FileManager.default.removeItem(atPath: dir)
        let made = try TestSupport.run("/usr/bin/env", ["python3", "-m", "venv", dir])
        guard made.status == 0 else { throw Failure(description: "python3 -m venv \(dir) failed: \(made.stderr)") }
        let pip = try TestSupport.run(dir + "/bin/python", ["-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
                                      + (packages[name] ?? []))
        if pip.status != 0 {
            let output = pip.stdout + pip.stderr
            let unreachable = ["NewConnectionError", "Network is unreachable", "Temporary failure in name resolution",
                               "No matching distribution found", "Could not find a version", "ConnectTimeout",
                               "Connection refused", "ProxyError", "SSLError", "Max retries exceeded"]
            if unreachable.contains(where: output.contains) {
                let last = output.split(separator: "\n").last.map(String.init) ?? ""
                throw Unreachable(reason: "skipped: PyPI is unreachable, so \((packages[name] ?? []).joined(separator: ", ")) cannot be installed: \(last)")
            }
            throw Failure(description: "pip install \((packages[name] ?? []).joined(separator: " ")) failed (exit \(pip.status)):\n\(output)")
        }
        return dir
    }
}
