extension Diagnostic.Code {
    // Reading the file
    public static let fileUnreadable = Self("file-unreadable")
    public static let notUTF8 = Self("not-utf8")
    public static let syntax = Self("yaml-syntax")
    public static let emptyDocument = Self("empty-document")
    public static let multipleDocuments = Self("multiple-documents")
    public static let documentTooLarge = Self("document-too-large")
    public static let scalarTooLarge = Self("scalar-too-large")
    public static let nestingTooDeep = Self("nesting-too-deep")
    public static let aliasExpansionTooLarge = Self("alias-expansion-too-large")
    public static let undefinedAlias = Self("undefined-alias")
    public static let duplicateKey = Self("duplicate-key")
    public static let unsupportedTag = Self("unsupported-tag")
    public static let nonScalarKey = Self("non-scalar-key")

    // Shape of the document
    public static let unknownKey = Self("unknown-key")
    public static let missingKey = Self("missing-key")
    public static let wrongType = Self("wrong-type")
    public static let invalidValue = Self("invalid-value")
    public static let outOfRange = Self("out-of-range")
    public static let invalidDuration = Self("invalid-duration")
    public static let unknownOperator = Self("unknown-operator")
    public static let invalidName = Self("invalid-name")

    // Meaning
    public static let duplicateName = Self("duplicate-name")
    public static let unknownStage = Self("unknown-stage")
    public static let dependencyCycle = Self("dependency-cycle")
    public static let invalidReference = Self("invalid-reference")
    public static let undefinedVariable = Self("undefined-variable")
    public static let outputNotUpstream = Self("output-not-upstream")
    public static let unknownTool = Self("unknown-tool")
    public static let ambiguousTool = Self("ambiguous-tool")
    public static let invalidArgument = Self("invalid-argument")
    public static let skipPropagation = Self("skip-propagation")
    public static let redundantSetting = Self("redundant-setting")
}
