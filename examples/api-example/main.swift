// An example of the WorkflowHost Swift API: start a workflow, follow its events, print how each stage ended.
// Build and run: swift run wfhost-api-example examples/hello.yaml
import Foundation
import WorkflowHost

let file = CommandLine.arguments.dropFirst().first ?? "examples/hello.yaml"
let host = WorkflowHost(configuration: HostConfiguration())

var options = RunOptions()
options.variables["name"] = "API"

do {
    let run = try host.start(workflow: file, options: options)
    let follower = Task {
        var finished = 0
        for await event in run.events {
            if case .stageFinished = event { finished += 1 }
        }
        return finished
    }
    let result = await run.result
    print("session \(result.session): \(result.status.rawValue)")
    for stage in result.stages {
        print("  \(stage.stage): \(stage.status.rawValue) after \(stage.attempts) attempt(s)")
    }
    print("events: \(await follower.value) stages finished")
    if let greeting = result.outputs["greet"]?["message"]?.stringValue {
        print("greeting: \(greeting)")
    }
    exit(result.status == .succeeded ? 0 : 1)
} catch {
    print("error: \(error)")
    exit(2)
}
