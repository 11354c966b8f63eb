import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM to the host: cancel running calls (workers end within the grace time) and exit 130.
final class Interrupts: @unchecked Sendable {
    // @unchecked: `received` is guarded by `lock`; the sources are only touched at install.
    private let lock = NSLock()
    private var received: Int32?
    private var sources: [DispatchSourceSignal] = []

    /// Installs handlers that call `onSignal` with the signal's name, once per signal.
    init(onSignal: @escaping @Sendable (String) -> Void) {
        for (sig, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            Glibc.signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                self?.lock.withLock { self?.received = sig }
                onSignal(name)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The signal received, if any.
    var signal: Int32? { lock.withLock { received } }
}
