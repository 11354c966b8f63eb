import Foundation
import Isolation
import Registry

/// The languages `wfhost plugins new` writes a project in.
public enum PluginLanguage: String, CaseIterable, Sendable {
    /// `c` and `cpp`: a source file and a Makefile against `wfhost/plugin.h`; `rust`: a Cargo crate over the
    /// `wfhost-plugin` binding crate; `swift`: a SwiftPM package over `WfhostPluginKit`. The raw value is the word
    /// `plugins new --lang` takes.
    case c, cpp, rust, swift
}

/// Where the SDK parts a project builds against are: the C headers, the Rust binding crate, the Swift package.
public struct PluginSDK: Sendable {
    /// The directory holding `wfhost/plugin.h`.
    public var include: String

    /// The install tree's `include/` beside `bin/`, else (a build folder in a checkout) the checkout's `SDK/include`.
    public static func besideExecutable() -> PluginSDK? {
        guard let exe = WorkerLocator.executableDirectory() else { return nil }
        var candidates = [exe + "/../include"]
        var url = URL(fileURLWithPath: exe)
        for _ in 0..<4 {
            url.deleteLastPathComponent()
            candidates.append(url.path + "/SDK/include")
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/wfhost/plugin.h") }
            .map { PluginSDK(include: URL(fileURLWithPath: $0).standardizedFileURL.path) }
    }

    /// A directory beside the headers: `share/wfhost/sdk/NAME` in an install tree (`include/` and `share/` are
    /// siblings), `SDK/NAME` in a checkout (`SDK/include` and `SDK/NAME` are).
    func part(_ name: String, marker: String) -> String? {
        [include + "/../share/wfhost/sdk/" + name, include + "/../" + name]
            .first { FileManager.default.fileExists(atPath: $0 + "/" + marker) }
            .map { URL(fileURLWithPath: $0).standardizedFileURL.path }
    }

    /// The Rust binding crate (`wfhost-plugin`, std only).
    public var rustCrate: String? { part("rust", marker: "Cargo.toml") }
    /// The Swift package whose library product is `WfhostPluginKit`.
    public var swiftPackage: String? { part("swift", marker: "Package.swift") }
}

/// `wfhost plugins new`: a plugin project that builds and passes `make test` as it stands.
public enum PluginProject {
    /// Writes the project of plugin `name` in `language` into `directory` (created; it must not hold files).
    ///
    /// ```swift
    /// let files = try PluginProject.write(name: "hello", language: .rust, directory: "hello", sdk: nil)
    /// ```
    /// - Parameters:
    ///   - name: the plugin's name, `[a-z][a-z0-9_]*`.
    ///   - language: the skeleton's language.
    ///   - directory: where the project goes; created, and it must not hold files.
    ///   - includeOverride: (`sdk:`) the directory holding `wfhost/plugin.h`; nil: the SDK beside this wfhost.
    ///   - wfhost: the `wfhost` executable the project's `make test` runs; nil: this one.
    /// - Returns: the names of the files written, relative to `directory`.
    /// - Throws: `WorkflowHostError` with code `pluginProjectInvalid` for an invalid name or an occupied
    ///   directory (or an `--sdk` without the header), `environment` for an SDK that is not found beside this
    ///   wfhost or lacks the language's part, or a file that cannot be written.
    public static func write(name: String, language: PluginLanguage, directory: String, sdk includeOverride: String?,
                             wfhost: String? = nil) throws(WorkflowHostError) -> [String] {
        let wfhost = wfhost ?? ((WorkerLocator.executableDirectory() ?? "") + "/wfhost")
        guard PluginValidator.isValidName(name) else {
            throw WorkflowHostError(.pluginProjectInvalid, "plugin name '\(name)' is invalid",
                                     hint: "names match [a-z][a-z0-9_]* (lowercase letters, digits and underscores, "
                                         + "starting with a letter)")
        }
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw WorkflowHostError(.pluginProjectInvalid, "\(directory) exists and is not a directory",
                                         hint: "choose another directory with --dir")
            }
            let existing = (try? fm.contentsOfDirectory(atPath: directory)) ?? []  // unreadable: the write fails below
            if !existing.isEmpty {
                throw WorkflowHostError(.pluginProjectInvalid, "\(directory) already exists and is not empty",
                                         hint: "choose another directory with --dir")
            }
        }
        let sdk: PluginSDK
        if let includeOverride {
            guard fm.fileExists(atPath: includeOverride + "/wfhost/plugin.h") else {
                throw WorkflowHostError(.pluginProjectInvalid, "\(includeOverride) holds no wfhost/plugin.h",
                                         hint: "--sdk names the directory that holds wfhost/plugin.h, such as the "
                                             + "install tree's include/")
            }
            sdk = PluginSDK(include: absolute(includeOverride))
        } else {
            guard let found = PluginSDK.besideExecutable() else {
                throw WorkflowHostError(.environment, "cannot find the wfhost SDK headers (wfhost/plugin.h) beside this wfhost",
                                         hint: "pass the include directory of an installed wfhost tree with --sdk DIR")
            }
            sdk = found
        }
        let files: [(String, String)]
        switch language {
        case .c, .cpp:
            let source = name + (language == .c ? ".c" : ".cpp")
            files = [
                (source, language == .c ? PluginTemplates.cSource(name) : PluginTemplates.cppSource(name)),
                ("Makefile", PluginTemplates.cMakefile(name, source: source, cpp: language == .cpp,
                                                       include: sdk.include, wfhost: wfhost)),
                (".gitignore", "*.so\n"),
            ]
        case .rust:
            guard let crate = sdk.rustCrate else { throw missingPart("Rust binding crate", "rust", sdk) }
            files = [
                ("Cargo.toml", PluginTemplates.cargoToml(name, crate: crate)),
                ("src/lib.rs", PluginTemplates.rustSource(name)),
                ("Makefile", PluginTemplates.rustMakefile(name, wfhost: wfhost)),
                (".gitignore", "/target\n*.so\n"),
            ]
        case .swift:
            guard let package = sdk.swiftPackage else { throw missingPart("Swift package (WfhostPluginKit)", "swift", sdk) }
            files = [
                ("Package.swift", PluginTemplates.packageSwift(name, kit: package)),
                ("Sources/\(name)/\(name).swift", PluginTemplates.swiftSource(name)),
                ("exports.map", PluginTemplates.exportsMap),
                ("Makefile", PluginTemplates.swiftMakefile(name, wfhost: wfhost)),
                (".gitignore", "/.build\n*.so\nPackage.resolved\n"),
            ]
        }
        do {
            for (file, text) in files {
                let url = URL(fileURLWithPath: directory + "/" + file)
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url)
            }
        } catch {
            throw WorkflowHostError(.environment, "cannot write the project in \(directory): \(error.localizedDescription)",
                                     hint: nil)
        }
        return files.map(\.0)
    }

    private static func missingPart(_ what: String, _ dir: String, _ sdk: PluginSDK) -> WorkflowHostError {
        WorkflowHostError(.environment, "cannot find the wfhost \(what) beside \(sdk.include): neither "
                               + "\(sdk.include)/../share/wfhost/sdk/\(dir) nor \(sdk.include)/../\(dir) exists",
                           hint: "use the include directory of an install tree that `make` built (it holds "
                               + "share/wfhost/sdk/\(dir)), with --sdk DIR")
    }

    private static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: full).standardizedFileURL.path
    }
}
