#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Timing of the two hot paths: compiling a typical tool schema and validating a typical 20-property
/// argument object against it. Build with `-c release` for meaningful figures.
import Schema

public enum SchemaBenchmark {
    /// Median timings in microseconds.
    public struct Result: Sendable, CustomStringConvertible {
        public let compileMedianMicroseconds: Double
        public let validateMedianMicroseconds: Double
        public let isValidMedianMicroseconds: Double
        public let iterations: Int
        /// Violations of the sample value; empty unless the benchmark itself is broken.
        public let sampleViolations: [String]

        public var description: String {
            func format(_ x: Double) -> String {
                let hundredths = Int((x * 100).rounded())
                let fraction = hundredths % 100
                return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
            }
            return """
                schema compile (20 properties): median \(format(compileMedianMicroseconds)) µs
                validate 20-property object (collecting violations): median \(format(validateMedianMicroseconds)) µs
                isValid 20-property object: median \(format(isValidMedianMicroseconds)) µs
                (\(iterations) runs each)
                """ + (sampleViolations.isEmpty ? "" : "\nwarning: the sample value is invalid: " + sampleViolations.joined(separator: "; "))
        }
    }

    /// A tool-argument schema with 20 properties of mixed kinds: strings with lengths, patterns and enums,
    /// integers and numbers with bounds, booleans, an array of strings, a nested object, and a `$ref`.
    public static let sampleSchema: JSONValue = [
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["image", "replicas", "port"],
        "additionalProperties": false,
        "$defs": ["label": ["type": "string", "minLength": 1, "maxLength": 63]],
        "properties": [
            "image": ["type": "string", "minLength": 1, "pattern": "^[a-z0-9./-]+(:[A-Za-z0-9._-]+)?$"],
            "replicas": ["type": "integer", "minimum": 1, "maximum": 100, "default": 1],
            "port": ["type": "integer", "minimum": 1, "maximum": 65535],
            "protocol": ["enum": ["tcp", "udp"], "default": "tcp"],
            "name": ["$ref": "#/$defs/label"],
            "namespace": ["$ref": "#/$defs/label"],
            "cpu": ["type": "number", "exclusiveMinimum": 0, "maximum": 64],
            "memoryMiB": ["type": "integer", "minimum": 16, "multipleOf": 16],
            "debug": ["type": "boolean", "default": false],
            "args": ["type": "array", "items": ["type": "string"], "maxItems": 32],
            "env": ["type": "object", "additionalProperties": ["type": "string"], "maxProperties": 64],
            "timeoutSeconds": ["type": "number", "minimum": 0],
            "retries": ["type": "integer", "minimum": 0, "maximum": 10],
            "priority": ["type": "string", "enum": ["low", "normal", "high"]],
            "tags": ["type": "array", "items": ["type": "string"], "uniqueItems": true],
            "user": ["type": ["string", "null"]],
            "workdir": ["type": "string", "maxLength": 255],
            "ratio": ["type": "number", "minimum": 0, "maximum": 1],
            "mode": ["const": "batch"],
            "resources": [
                "type": "object",
                "properties": ["gpu": ["type": "integer", "minimum": 0], "disk": ["type": "string"]],
                "required": ["gpu"],
            ],
        ],
    ]

    /// A valid 20-property value for ``sampleSchema``.
    public static let sampleValue: JSONValue = [
        "image": "registry.example/app:1.4.2", "replicas": 3, "port": 8080, "protocol": "tcp",
        "name": "web", "namespace": "prod", "cpu": 1.5, "memoryMiB": 512, "debug": false,
        "args": ["--serve", "--verbose"], "env": ["LANG": "C.UTF-8", "TZ": "UTC"], "timeoutSeconds": 30,
        "retries": 2, "priority": "normal", "tags": ["a", "b", "c"], "user": nil, "workdir": "/srv",
        "ratio": 0.25, "mode": "batch", "resources": ["gpu": 1, "disk": "10G"],
    ]

    /// Measures and returns the medians; `iterations` runs of each operation after a warm-up.
    public static func measure(iterations: Int = 2000) -> Result {
        let runs = max(1, iterations)
        var schema: CompiledSchema?
        let compileTimes = times(runs / 4 + 1) {
            do throws(SchemaCompileErrors) { schema = try CompiledSchema.compile(sampleSchema) } catch { schema = nil }
        }
        guard let schema else {
            return Result(compileMedianMicroseconds: .nan, validateMedianMicroseconds: .nan, isValidMedianMicroseconds: .nan,
                          iterations: 0, sampleViolations: ["the sample schema does not compile"])
        }
        var violations = 0
        let validateTimes = times(runs) { violations += schema.validate(sampleValue).count }
        var valid = 0
        let isValidTimes = times(runs) { valid += schema.isValid(sampleValue) ? 1 : 0 }
        return Result(compileMedianMicroseconds: median(compileTimes), validateMedianMicroseconds: median(validateTimes),
                      isValidMedianMicroseconds: median(isValidTimes), iterations: runs,
                      sampleViolations: schema.validate(sampleValue).map(\.description))
    }

    /// Runs the benchmark and returns its report as text.
    public static func run(iterations: Int = 2000) -> String { measure(iterations: iterations).description }

    private static func times(_ count: Int, _ body: () -> Void) -> [Double] {
        for _ in 0..<min(100, count) { body() }  // warm-up
        var result: [Double] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            let start = now()
            body()
            result.append(now() - start)
        }
        return result
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) * 1e6 + Double(ts.tv_nsec) / 1e3
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
