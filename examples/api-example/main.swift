// An example of the WorkflowHost Swift API: run a workflow and print how each stage ended.
// Build and run: swift run wfhost-api-example examples/hello.yaml
import Engine
import Foundation
import WorkflowHost

let file = CommandLine.arguments.dropFirst().first ?? "examples/hello.yaml"
let host = WorkflowHost(configuration: HostConfiguration())

var options = RunOptions()
options.variables["name"] = "API"

do {
    let result = try await host.execute(workflow: file, options: options)
    print("session \(result.session): \(result.status.rawValue)")
    for stage in result.stages {
        print("  \(stage.stage): \(stage.status.rawValue) after \(stage.attempts) attempt(s)")
    }
    if let greeting = result.outputs["greet"]?["message"]?.stringValue {
        print("greeting: \(greeting)")
    }
    exit(result.status == .succeeded ? 0 : 1)
} catch {
    print("error: \(error)")
    exit(2)
}
