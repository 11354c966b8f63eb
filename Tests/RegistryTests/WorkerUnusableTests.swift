import Foundation
import Testing
import WfhostTestSupport

/// A worker the dynamic loader cannot start (a runtime library missing) is an environment error, exit 3 with
/// what to do, never every plugin "failed" and `unknown tool` (exit 2).
@Suite struct WorkerUnusableTests {
    @Test func aWorkerThatCannotStartIsExit3NamingTheLibrary() throws {
        let dir = try TestSupport.temporaryDirectory("unusable-worker")
        defer { TestSupport.cleanup(dir) }
        // A stand-in for a worker whose libffi.so.8 is missing: what glibc's loader prints, and its exit code.
        let worker = dir + "/wfhost-worker"
        try Data("""
            #!/bin/sh
            echo "$0: error while loading shared libraries: libffi.so.8: cannot open shared object file: No such file or directory" >&2
            exit 127
            """.utf8).write(to: URL(fileURLWithPath: worker))
        chmod(worker, 0o755)
        try FileManager.default.createDirectory(atPath: dir + "/plugins", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestSupport.buildDir + "/libcore.so", toPath: dir + "/plugins/core.so")
        let env = ["WFHOST_STATE_DIR": dir + "/state", "WFHOST_PLUGIN_PATH": dir + "/plugins", "WFHOST_WORKER": worker,
                   "PATH": "/usr/bin:/bin", "HOME": dir]
        for args in [["call", "echo", "--args", #"{"message":"x"}"#], ["plugins", "list"]] {
            let r = try TestSupport.run(TestSupport.wfhost, args, environment: env)
            #expect(r.status == 3, "\(args): \(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("error: the worker \(worker) cannot start: \(worker): error while loading shared "
                                      + "libraries: libffi.so.8: cannot open shared object file: No such file or directory\n"
                                      + "  hint: install the worker's runtime libraries (Debian: libffi8 libseccomp2); "
                                      + "`wfhost doctor` names what is missing"), "\(r.stderr)")
        }
    }
}
