import Foundation
import Testing
import WfhostTestSupport

/// How the Makefile finds the Swift toolchain: `SWIFT=`, else `swift` on PATH, else `SWIFT_FALLBACK`
/// (/opt/swift/usr/bin/swift), else it stops saying where to get one. Runs the real `make -n` on the real Makefile.
@Suite struct ToolchainTests {
    /// `make -n swift-test` in the repository with only `path` on PATH; the first command it would run.
    static func dryRun(path: String, _ variables: [String] = []) throws -> TestSupport.RunResult {
        try TestSupport.run("/usr/bin/make", ["--no-print-directory", "-n", "-C", TestSupport.repoRoot, "swift-test"] + variables,
                            environment: ["PATH": path, "HOME": NSTemporaryDirectory()])
    }

    /// An executable file named `swift` in a fresh directory.
    static func fakeSwift(_ dir: String) throws -> String {
        let path = dir + "/swift"
        try "#!/bin/sh\nexit 0\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test func swiftOnPathComesFirst() throws {
        let dir = try TestSupport.temporaryDirectory("toolchain-path")
        defer { TestSupport.cleanup(dir) }
        let swift = try Self.fakeSwift(dir)
        let r = try Self.dryRun(path: dir + ":/usr/bin:/bin", ["SWIFT_FALLBACK=/nonexistent/swift"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix(swift + " build --build-tests --explicit-target-dependency-import-check error\n"), "\(r.stdout)")
    }

    @Test func fallbackWhenPathHasNoSwift() throws {
        let dir = try TestSupport.temporaryDirectory("toolchain-fallback")
        defer { TestSupport.cleanup(dir) }
        let swift = try Self.fakeSwift(dir)
        let r = try Self.dryRun(path: "/usr/bin:/bin", ["SWIFT_FALLBACK=" + swift])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix(swift + " build --build-tests --explicit-target-dependency-import-check error\n"), "\(r.stdout)")
    }

    @Test func explicitSwiftWins() throws {
        let r = try Self.dryRun(path: "/usr/bin:/bin", ["SWIFT=/somewhere/usr/bin/swift", "SWIFT_FALLBACK=/nonexistent/swift"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("/somewhere/usr/bin/swift build --build-tests --explicit-target-dependency-import-check error\n"), "\(r.stdout)")
    }

    @Test func noToolchainStopsSayingWhereToGetOne() throws {
        let r = try Self.dryRun(path: "/usr/bin:/bin", ["SWIFT_FALLBACK=/nonexistent/swift"])
        #expect(r.status == 2)
        #expect(r.stdout == "")
        #expect(r.stderr.hasSuffix("""
            *** no Swift toolchain found: neither `swift` on PATH nor /nonexistent/swift; install Swift 6.3 from \
            https://www.swift.org/install/linux/ and put its usr/bin on PATH, or run make SWIFT=/path/to/usr/bin/swift.  Stop.

            """), "\(r.stderr)")
    }
}
