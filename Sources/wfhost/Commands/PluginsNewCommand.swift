import ArgumentParser
import Foundation
import WorkflowHost

/// `wfhost plugins new NAME --lang c|cpp|rust|swift [--dir D]`: a plugin project that builds and tests as it stands.
struct PluginsNew: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Write a plugin project: one tool with a declared example, a build file, and `make test`.",
        discussion: """
            C and C++: a Makefile against the SDK headers of this wfhost (found beside the executable, or given \
            with --sdk). Rust: a Cargo.toml using the SDK's binding crate by path (cargo builds offline). Swift: a \
            Package.swift using the SDK's WfhostPluginKit package by path. In each, `make` builds NAME.so and \
            `make test` runs `wfhost plugins validate` and `wfhost plugins test` on it. Exit codes: 0 written; 2 an \
            invalid name or an existing, non-empty directory; 3 the SDK was not found or a file could not be written.
            """)

    @Argument(help: "The plugin's name: [a-z][a-z0-9_]*.") var name: String
    @Option(help: "The language of the project.") var lang: PluginLanguage
    @Option(help: ArgumentHelp("Where to write the project (default: ./NAME).", valueName: "dir")) var dir: String?
    @Option(help: ArgumentHelp("The SDK's include directory (holding wfhost/plugin.h).", valueName: "dir"))
    var sdk: String?

    func run() throws {
        let target = dir ?? name
        let files: [String]
        do {
            files = try PluginProject.write(name: name, language: lang, directory: target, sdk: sdk)
        } catch {
            throw report(error)
        }
        print("wrote \(target)/: \(files.joined(separator: ", "))")
        print("next: make -C \(target) && make -C \(target) test")
    }
}

extension PluginLanguage: ExpressibleByArgument {}
