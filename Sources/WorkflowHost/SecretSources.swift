import Foundation
import Spec

/// Where secret values come from: the environment or a file, never the command line.
///
/// **A secret is never on argv.** Every local user can read a process's arguments (`ps`, `/proc/PID/cmdline`),
/// while its environment and a mode-0600 file are readable by its owner only. So `--secret` names a secret and an
/// environment variable that holds it:
/// - `--secret NAME` reads the environment variable `NAME`;
/// - `--secret NAME=env:VAR` reads the environment variable `VAR`;
/// - `--secret-file FILE` reads `name=value` lines (blank lines and lines starting with `#` are ignored; spaces
///   around the name and the value are not part of them).
///
/// `--secret NAME=VALUE` is refused. **A secret shorter than ``minimumLength`` characters is refused**: it is
/// masked as `***` wherever it appears, and masking `e` would rewrite every line of output.
public enum SecretSources {
    /// The shortest secret value accepted.
    public static let minimumLength = Limits.secretMinimumLength
    /// The prefix of `--secret NAME=env:VAR`.
    public static let environmentPrefix = "env:"

    static let forms = "`--secret NAME` reads the environment variable NAME, `--secret NAME=env:VAR` reads VAR"
    static let fileLineHint = "write one secret per line as name=value; blank lines and lines starting with # are ignored"

    /// What one `--secret` argument asks for: the secret's name and the environment variable holding it.
    /// - Throws: `WorkflowHostError` with code `secretInvalid` when the argument carries a value (`NAME=VALUE`) or has no valid name. The
    ///   message does not repeat the value.
    public static func parseArgument(_ argument: String) throws(WorkflowHostError) -> (name: String, variable: String) {
        guard let equals = argument.firstIndex(of: "=") else {
            guard isName(argument) else { throw invalidName(argument) }
            return (argument, argument)
        }
        let name = String(argument[..<equals])
        let rest = argument[argument.index(after: equals)...]
        guard isName(name) else { throw invalidName(name) }
        guard rest.hasPrefix(environmentPrefix) else {
            throw WorkflowHostError(.secretInvalid, 
                "--secret \(name)=... puts the secret's value on the command line, which every local user can read "
                + "(ps, /proc/PID/cmdline)",
                hint: "export it and pass its name: \(forms); or list name=value lines in a file only you can read "
                + "and pass --secret-file FILE")
        }
        let variable = String(rest.dropFirst(environmentPrefix.count))
        guard isName(variable) else {
            throw WorkflowHostError(.secretInvalid, "--secret \(name)=env:\(variable) does not name an environment variable",
                                    hint: "write --secret \(name)=env:VAR, where VAR is a name such as API_TOKEN")
        }
        return (name, variable)
    }

    /// The `name=value` pairs of a secret file, in file order.
    /// - Parameters:
    ///   - text: the file's content.
    ///   - path: the file's name, for messages.
    /// - Throws: `WorkflowHostError` with code `secretInvalid` naming `FILE:LINE` for a line that is not `name=value`, has an invalid name or
    ///   repeats a name. The message does not quote the line, which may hold a secret.
    public static func parseFile(_ text: String, path: String) throws(WorkflowHostError) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        var seen: [String: Int] = [:]
        // "\r\n" is one Character in Swift, so it is a separator of its own.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, rawLine) in lines.enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let number = index + 1
            guard let equals = line.firstIndex(of: "=") else {
                throw WorkflowHostError(.secretInvalid, "\(path):\(number): not a name=value line", hint: fileLineHint)
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard isName(name) else {
                throw WorkflowHostError(.secretInvalid, "\(path):\(number): the part before '=' is not a secret name",
                                        hint: "a name has letters, digits, '_' and '-'; " + fileLineHint)
            }
            if let first = seen[name] {
                throw WorkflowHostError(.secretInvalid, "\(path):\(number): the secret '\(name)' is already given on line \(first)",
                                        hint: "keep one line per secret")
            }
            seen[name] = number
            pairs.append((name, line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)))
        }
        return pairs
    }

    /// The secrets that `--secret-file` files and `--secret` arguments name, by name; a later one wins.
    /// - Parameters:
    ///   - arguments: the `--secret` values, `name`, `name=env:VAR` or `name=file:PATH`.
    ///   - files: the `--secret-file` paths, in order.
    ///   - environment: the host's environment, where `--secret` values are read.
    ///   - readFile: reads a secret file's text; its error's description is shown.
    /// - Throws: `WorkflowHostError` with code `secretInvalid` for a refused argument, an unset variable, an unreadable or malformed file,
    ///   or a value shorter than ``minimumLength``.
    public static func resolve(arguments: [String], files: [String], environment: [String: String],
                               readFile: (String) throws -> String = readText) throws(WorkflowHostError) -> [String: String] {
        var secrets: [String: String] = [:]
        for file in files {
            let text: String
            do {
                text = try readFile(file)
            } catch let error as WorkflowHostError {
                throw WorkflowHostError(.secretInvalid, error.message, hint: error.hint, location: file)
            } catch {
                throw WorkflowHostError(.secretInvalid, "cannot read the secret file \(file): \(error)",
                                        hint: "check the path and its permissions", location: file)
            }
            for (name, value) in try parseFile(text, path: file) {
                try checkLength(value, name: name, from: "in \(file)")
                secrets[name] = value
            }
        }
        for argument in arguments {
            let (name, variable) = try parseArgument(argument)
            guard let value = environment[variable] else {
                throw WorkflowHostError(.secretInvalid, "--secret \(argument): the environment variable \(variable) is not set",
                                        hint: "set it before running (`export \(variable)=...`, or from your CI's secret store), "
                                        + "or give the secret with --secret-file FILE")
            }
            try checkLength(value, name: name, from: "from the environment variable \(variable)")
            secrets[name] = value
        }
        return secrets
    }

    /// The text of a UTF-8 secret file.
    /// - Parameter path: the file.
    /// - Returns: its text.
    /// - Throws: `WorkflowHostError` with code `fileUnreadable` naming the file and the system's reason.
    public static func readText(_ path: String) throws(WorkflowHostError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw WorkflowHostError(.fileUnreadable, "cannot read the secret file \(path): \(FileErrorText.describe(error))",
                                    hint: "check the path and its permissions", location: path)
        }
    }

    static func checkLength(_ value: String, name: String, from source: String) throws(WorkflowHostError) {
        guard value.count < minimumLength else { return }
        let length = value.isEmpty ? "empty" : "\(value.count) character\(value.count == 1 ? "" : "s") long"
        throw WorkflowHostError(.secretInvalid, 
            "the secret '\(name)' \(source) is \(length); secrets shorter than \(minimumLength) characters are refused",
            hint: "a secret is masked as *** wherever it appears, so a short one would rewrite ordinary output "
            + "(masking `e` changes every line); use the real secret, or pass a value that is not secret with --var")
    }

    static func invalidName(_ name: String) -> WorkflowHostError {
        WorkflowHostError(.secretInvalid, name.isEmpty ? "--secret needs a name" : "--secret '\(name)' is not a secret name",
                          hint: "a name has letters, digits, '_' and '-'; " + forms)
    }

    /// Letters, digits, `_` and `-` (a variable name as `${NAME}` writes it).
    static func isName(_ name: some StringProtocol) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { c in
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" || c == "-"
        }
    }
}
