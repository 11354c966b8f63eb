import Foundation

/// Where the fixture files live: beside this source file.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func files(in folder: String, extension ext: String = "yaml") throws -> [URL] {
        let directory = root.appendingPathComponent(folder)
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == ext }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// A fresh temporary directory for files a test generates.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("spec-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Peak resident memory of this process (Linux `VmHWM`), reset by ``resetPeak()``.
enum PeakMemory {
    static func reset() throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "/proc/self/clear_refs"))
        defer { try? handle.close() }  // Closing a /proc file loses nothing.
        try handle.write(contentsOf: Data("5".utf8))
    }

    static func megabytes() throws -> Double {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = line.split(separator: " ").compactMap({ Double($0) }).first else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return kb / 1024
    }
}
