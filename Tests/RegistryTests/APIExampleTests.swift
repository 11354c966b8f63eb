import Foundation
import WfhostTestSupport
import Testing

/// The README's Swift API example is `examples/api-example/main.swift`, verbatim, and it runs.
@Suite struct APIExampleTests {
    @Test func readmeShowsTheExampleVerbatim() throws {
        let readme = try String(contentsOfFile: TestSupport.repoRoot + "/README.md", encoding: .utf8)
        let example = try String(contentsOfFile: TestSupport.repoRoot + "/examples/api-example/main.swift", encoding: .utf8)
        #expect(readme.contains("```swift\n" + example + "```"))
    }

    @Test func exampleRunsTheHelloWorkflow() throws {
        let dir = try TestSupport.temporaryDirectory("api")
        defer { TestSupport.cleanup(dir) }
        let plugins = dir + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestSupport.buildDir + "/libcore.so", toPath: plugins + "/core.so")
        let r = try TestSupport.run(TestSupport.buildDir + "/wfhost-api-example",
                                    [TestSupport.repoRoot + "/examples/hello.yaml"],
                                    environment: ["HOME": dir, "WFHOST_STATE_DIR": dir + "/state",
                                                  "WFHOST_PLUGIN_PATH": plugins, "PATH": "/usr/bin:/bin"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains(": succeeded\n  greet: succeeded after 1 attempt(s)\n"))
        // The handle's event stream saw each of hello.yaml's four stages finish before it ended.
        #expect(r.stdout.contains("\nevents: 4 stages finished\n"))
        #expect(r.stdout.hasSuffix("greeting: hello, API\n"))
    }
}
