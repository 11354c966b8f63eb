extension ErrorField {
    /// The design's names of error fields (`RoutingCondition.Field`), accepted in route conditions beside ours.
    public static let designAliases: [String: ErrorField] = ["tool_name": .tool, "stage_name": .stage]
}
