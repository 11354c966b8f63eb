import Foundation
import Spec

enum JSONDecoderHelper {
    static func decode(_ json: String) throws -> Diagnostic {
        try JSONDecoder().decode(Diagnostic.self, from: Data(json.utf8))
    }
}
