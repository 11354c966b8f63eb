#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CYaml

/// What ``YAMLLoader`` produced: a document when the file could be read, and every problem found while reading.
public struct YAMLLoadResult: Sendable {
    public var document: YAMLDocument?
    public var diagnostics: [Diagnostic]
}

/// Reads one YAML document with the system libyaml into ``YAMLNode``s that keep their line and column.
///
/// Problems that stop reading (a syntax error, input that is not UTF-8, several documents, a crossed limit)
/// end the load with one error. Duplicate keys and non-scalar keys are reported and reading goes on.
/// Merge keys (`<<: *defaults`) are applied: keys written in the mapping win over merged ones.
public enum YAMLLoader {
    /// Loads the file at `path`; `displayName` (default: `path`) is the name used in locations.
    public static func load(path: String, displayName: String? = nil,
                            limits: LoadLimits = .default) -> YAMLLoadResult {
        let name = displayName ?? path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let reason = String(cString: strerror(errno))
            return YAMLLoadResult(document: nil, diagnostics: [.error(
                .fileUnreadable, at: SourceLocation(file: name, line: 1, column: 1),
                "cannot read the file: \(reason)")])
        }
        defer { close(fd) }  // A close error after a complete read changes nothing for the caller.
        return load(source: .descriptor(fd), file: name, limits: limits)
    }

    /// Loads a document held in memory; `file` is the name used in locations.
    public static func load(bytes: [UInt8], file: String, limits: LoadLimits = .default) -> YAMLLoadResult {
        load(source: .bytes(bytes), file: file, limits: limits)
    }

    /// Loads a document held in a string; `file` is the name used in locations.
    public static func load(text: String, file: String, limits: LoadLimits = .default) -> YAMLLoadResult {
        load(source: .bytes(Array(text.utf8)), file: file, limits: limits)
    }

    static func load(source: YAMLInput.Source, file: String, limits: LoadLimits) -> YAMLLoadResult {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            return YAMLLoadResult(document: nil, diagnostics: [.error(
                .fileUnreadable, at: SourceLocation(file: file, line: 1, column: 1),
                "cannot start the YAML parser: out of memory")])
        }
        defer { yaml_parser_delete(parser) }
        let input = YAMLInput(source: source, limits: limits, parser: parser)
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input(parser, yamlReadHandler, Unmanaged.passUnretained(input).toOpaque())
        var builder = TreeBuilder(file: file, limits: limits)
        let outcome = withExtendedLifetime(input) { builder.run(parser: parser, input: input) }
        var diagnostics = builder.diagnostics
        switch outcome {
        case .failure(let fatal):
            diagnostics.append(fatal)
            return YAMLLoadResult(document: nil, diagnostics: diagnostics)
        case .success(let root):
            guard let root else {
                diagnostics.append(.error(.emptyDocument, at: SourceLocation(file: file, line: 1, column: 1),
                                          "the file contains no YAML document",
                                          hint: "a workflow starts with `apiVersion: orchestration/v1`"))
                return YAMLLoadResult(document: nil, diagnostics: diagnostics)
            }
            return YAMLLoadResult(document: YAMLDocument(file: file, root: root), diagnostics: diagnostics)
        }
    }
}

private enum Outcome {
    case success(YAMLNode?)
    case failure(Diagnostic)
}

/// Turns libyaml events into nodes, one frame per open list or mapping.
private struct TreeBuilder {
    struct Frame {
        var isMapping: Bool
        var anchor: String?
        var tag: String?
        var line: Int32
        var column: Int32
        var children: [YAMLNode] = []
    }

    let file: String
    let limits: LoadLimits
    var diagnostics: [Diagnostic] = []
    var stack: [Frame] = []
    var anchors: [String: YAMLNode] = [:]
    var expandedTotal = 0
    var aliasExpanded = 0
    var documents = 0
    var root: YAMLNode?

    init(file: String, limits: LoadLimits) {
        self.file = file
        self.limits = limits
    }

    func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    mutating func run(parser: UnsafeMutablePointer<yaml_parser_t>,
                      input: YAMLInput) -> Outcome {
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(parser, &event) == 1 else {
                return .failure(parseFailure(parser: parser, input: input))
            }
            let step = handle(&event)
            let done = event.type == YAML_STREAM_END_EVENT
            input.lastEventEnd = Int(event.end_mark.index)
            input.lastEventLine = Int(event.end_mark.line) + 1
            input.lastEventColumn = Int(event.end_mark.column) + 1
            yaml_event_delete(&event)
            if let fatal = step { return .failure(fatal) }
            if done { break }
        }
        if let (line, column) = input.endsInsideSequence {
            return .failure(notUTF8(line: line, column: column, bom: false))
        }
        return .success(root)
    }

    func notUTF8(line: Int, column: Int, bom: Bool) -> Diagnostic {
        let at = SourceLocation(file: file, line: line, column: column)
        if bom {
            return .error(.notUTF8, at: at, "the file is not UTF-8: it starts with a UTF-16 byte-order mark",
                          hint: "save the file as UTF-8")
        }
        return .error(.notUTF8, at: at, "the file is not valid UTF-8: bad byte sequence here",
                      hint: "save the file as UTF-8")
    }

    func parseFailure(parser: UnsafeMutablePointer<yaml_parser_t>, input: YAMLInput) -> Diagnostic {
        if let abort = input.abort {
            switch abort {
            case .documentTooLarge:
                return .error(.documentTooLarge, at: SourceLocation(file: file, line: 1, column: 1),
                              "the file is larger than the limit of \(limits.maxDocumentBytes) bytes")
            case .scalarTooLarge(let line, let column):
                return .error(.scalarTooLarge, at: SourceLocation(file: file, line: line, column: column),
                              "the text after this place runs on for more than \(limits.maxScalarBytes) bytes "
                              + "without a break (limit on one value)",
                              hint: "keep large data in a separate file and pass its path")
            case .notUTF8(let line, let column, let bom):
                return notUTF8(line: line, column: column, bom: bom)
            case .readFailed(let code):
                return .error(.fileUnreadable, at: SourceLocation(file: file, line: 1, column: 1),
                              "cannot read the file: \(String(cString: strerror(code)))")
            }
        }
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "unknown problem"
        var message = "YAML syntax error: \(problem)"
        if let context = p.context {
            let contextMark = location(p.context_mark)
            message += " (\(String(cString: context)) at line \(contextMark.line), column \(contextMark.column))"
        }
        let at = p.error == YAML_READER_ERROR ? SourceLocation(file: file, line: 1, column: 1)
                                              : location(p.problem_mark)
        return .error(.syntax, at: at, message, hint: Self.syntaxHint(problem))
    }

    static func syntaxHint(_ problem: String) -> String {
        if problem.contains("cannot start any plain token") {
            return "quote a value that starts with a special character (`@`, `` ` ``, `%`); tabs cannot indent YAML"
        }
        if problem.contains("tab character") {
            return "YAML cannot indent with tabs; indent with spaces"
        }
        if problem.contains("mapping values are not allowed") {
            return "quote a value that contains ': ', or fix the indentation of this line"
        }
        if problem.contains("did not find expected key") || problem.contains("did not find expected '-'") {
            return "check the indentation of this line against the lines above it"
        }
        if problem.contains("found unexpected end of stream") {
            return "a quote or bracket opened before this place is never closed"
        }
        if problem.contains("control characters are not allowed") {
            return "remove the control character or write it as an escape in a double-quoted string"
        }
        return "check the indentation and quoting around this place"
    }

    mutating func handle(_ event: inout yaml_event_t) -> Diagnostic? {
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                return .error(.multipleDocuments, at: location(event.start_mark),
                              "the file contains more than one YAML document",
                              hint: "a workflow file holds exactly one document; remove the `---` or split the file")
            }
        case YAML_ALIAS_EVENT:
            let name = String(cString: event.data.alias.anchor)
            guard let node = anchors[name] else {
                return .error(.undefinedAlias, at: location(event.start_mark),
                              "alias '*\(name)' refers to no complete anchor '&\(name)' before it",
                              hint: "define `&\(name)` on a node that ends before this alias")
            }
            aliasExpanded += node.expandedCount
            if aliasExpanded > limits.maxAliasExpandedNodes {
                return .error(.aliasExpansionTooLarge, at: location(event.start_mark),
                              "aliases in this document stand for more than \(limits.maxAliasExpandedNodes) nodes",
                              hint: "this looks like a 'billion laughs' file; use fewer nested aliases")
            }
            return add(node, expanded: node.expandedCount, at: event.start_mark)
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let length = Int(scalar.length)
            if length > limits.maxScalarBytes {
                return .error(.scalarTooLarge, at: location(event.start_mark),
                              "this value is \(length) bytes long, more than the limit of \(limits.maxScalarBytes)",
                              hint: "keep large data in a separate file and pass its path")
            }
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: length), as: UTF8.self)
            let style: YAMLNode.ScalarStyle
            switch scalar.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            checkTag(Self.string(scalar.tag), at: event.start_mark, collection: false)
            // The text maps column for column onto the file when the scalar spans exactly its characters
            // (plus the quotes): then a reference inside it can be pointed at precisely.
            var textColumn: Int32?
            let quotes = (style == .singleQuoted || style == .doubleQuoted) ? 1 : 0
            if event.start_mark.line == event.end_mark.line, style != .literal, style != .folded,
               Int(event.end_mark.column) - Int(event.start_mark.column) == text.unicodeScalars.count + 2 * quotes {
                textColumn = Int32(Int(event.start_mark.column) + 1 + quotes)
            }
            let node = YAMLNode(content: .scalar(text, style), tag: Self.string(scalar.tag),
                                line: Int32(event.start_mark.line) + 1, column: Int32(event.start_mark.column) + 1,
                                endLine: Int32(event.end_mark.line) + 1, endColumn: Int32(event.end_mark.column) + 1,
                                expandedCount: 1, textColumn: textColumn)
            if let anchor = Self.string(scalar.anchor) { anchors[anchor] = node }
            return add(node, expanded: 1, at: event.start_mark)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            if stack.count >= limits.maxDepth {
                return .error(.nestingTooDeep, at: location(event.start_mark),
                              "lists and mappings are nested more than \(limits.maxDepth) levels deep here",
                              hint: "a workflow needs only a few levels; flatten this structure")
            }
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let anchor = isMapping ? Self.string(event.data.mapping_start.anchor)
                                   : Self.string(event.data.sequence_start.anchor)
            let tag = isMapping ? Self.string(event.data.mapping_start.tag)
                                : Self.string(event.data.sequence_start.tag)
            checkTag(tag, at: event.start_mark, collection: true)
            stack.append(Frame(isMapping: isMapping, anchor: anchor, tag: tag,
                               line: Int32(event.start_mark.line) + 1, column: Int32(event.start_mark.column) + 1))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return nil }
            var expanded = 1
            let content: YAMLNode.Content
            if frame.isMapping {
                let pairs = mappingPairs(frame.children)
                for pair in pairs { expanded += pair.key.expandedCount + pair.value.expandedCount }
                content = .mapping(pairs)
            } else {
                for child in frame.children { expanded += child.expandedCount }
                content = .sequence(frame.children)
            }
            let node = YAMLNode(content: content, tag: frame.tag, line: frame.line, column: frame.column,
                                endLine: Int32(event.end_mark.line) + 1, endColumn: Int32(event.end_mark.column) + 1,
                                expandedCount: expanded)
            if let anchor = frame.anchor { anchors[anchor] = node }
            // The node's own children were counted as they arrived; count only the node itself here.
            return add(node, expanded: 1, at: event.start_mark)
        default:
            break
        }
        return nil
    }

    static let scalarTags: Set<String> = ["!", SpecValue.secretTag, "tag:yaml.org,2002:str", "tag:yaml.org,2002:int",
                                          "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"]
    static let collectionTags: Set<String> = ["!", SpecValue.secretTag, "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"]

    /// Tags are refused except the core schema's and `!secret`: anything else would be silently ignored.
    mutating func checkTag(_ tag: String?, at mark: yaml_mark_t, collection: Bool) {
        guard let tag, !(collection ? Self.collectionTags : Self.scalarTags).contains(tag) else { return }
        let shown = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
        diagnostics.append(.error(.unsupportedTag, at: location(mark), "unsupported tag '\(shown)'",
                                  hint: "workflow files use only `!secret` and the standard tags `!!str`, `!!int`, "
                                  + "`!!float`, `!!bool`, `!!null`"))
    }

    mutating func add(_ node: YAMLNode, expanded: Int, at mark: yaml_mark_t) -> Diagnostic? {
        expandedTotal += expanded
        if expandedTotal > limits.maxExpandedNodes {
            return .error(.aliasExpansionTooLarge, at: location(mark),
                          "this document stands for more than \(limits.maxExpandedNodes) nodes once aliases are expanded",
                          hint: "split the workflow, or use fewer nested aliases")
        }
        if stack.isEmpty {
            root = node
        } else {
            stack[stack.count - 1].children.append(node)
        }
        return nil
    }

    /// Pairs up a mapping's children, reports duplicate and non-scalar keys, and applies `<<` merge keys.
    mutating func mappingPairs(_ children: [YAMLNode]) -> [YAMLNode.Pair] {
        var pairs: [YAMLNode.Pair] = []
        pairs.reserveCapacity(children.count / 2)
        var merged: [YAMLNode.Pair] = []
        var seen = KeyIndex()
        var index = 0
        while index + 1 < children.count {
            let key = children[index], value = children[index + 1]
            index += 2
            guard case .scalar(let text, let style) = key.content else {
                diagnostics.append(.error(.nonScalarKey, at: key.location(in: file),
                                          "a mapping key must be a plain value, not a list or mapping"))
                continue
            }
            if text == "<<" && style == .plain {
                merged.append(contentsOf: mergeSources(value))
                continue
            }
            if let first = seen.first(text) {
                diagnostics.append(.error(.duplicateKey, at: key.location(in: file),
                                          "duplicate key '\(text)' (first at line \(first.line), column \(first.column))",
                                          hint: "a key may appear once per mapping; remove or rename one of them"))
                continue
            }
            seen.insert(text, key)
            pairs.append(YAMLNode.Pair(key: key, value: value))
        }
        for pair in merged {
            guard let text = pair.key.scalarText, seen.first(text) == nil else { continue }
            seen.insert(text, pair.key)
            pairs.append(pair)
        }
        return pairs
    }

    mutating func mergeSources(_ value: YAMLNode) -> [YAMLNode.Pair] {
        switch value.content {
        case .mapping(let pairs):
            return pairs
        case .sequence(let items):
            var result: [YAMLNode.Pair] = []
            for item in items {
                if let pairs = item.mappingPairs {
                    result.append(contentsOf: pairs)
                } else {
                    diagnostics.append(.error(.wrongType, at: item.location(in: file),
                                              "a merge key `<<` takes mappings, not \(item.kindDescription)"))
                }
            }
            return result
        case .scalar:
            diagnostics.append(.error(.wrongType, at: value.location(in: file),
                                      "a merge key `<<` takes a mapping or a list of mappings, not a single value"))
            return []
        }
    }

    static func string(_ pointer: UnsafeMutablePointer<UInt8>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}

extension YAMLNode {
    /// How the node's kind is named in messages: "a list", "a mapping", "a string".
    public var kindDescription: String {
        switch content {
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .scalar: return SpecValue.scalar(self, file: "").kindDescription
        }
    }
}

/// The keys seen so far in one mapping: a list while small (most mappings), a dictionary beyond.
private struct KeyIndex {
    private var list: [(String, YAMLNode)] = []
    private var table: [String: YAMLNode]?

    func first(_ key: String) -> YAMLNode? {
        if let table { return table[key] }
        return list.first { $0.0 == key }?.1
    }

    mutating func insert(_ key: String, _ node: YAMLNode) {
        if table != nil {
            table?[key] = node
            return
        }
        list.append((key, node))
        if list.count > 16 {
            table = Dictionary(list, uniquingKeysWith: { first, _ in first })
            list = []
        }
    }
}
