import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT, SIGTERM and SIGHUP to the host (Ctrl-C, a CI runner stopping the job, a closed terminal): cancel running
/// calls (workers end within the grace time), write the summary and reports, and exit 128 + the signal's number
/// (`Exit.forSignal`: 130, 143, 129).
final class Interrupts: @unchecked Sendable {
    // @unchecked: `received` is guarded by `lock`; the sources are only touched at install.
    private let lock = NSLock()
    private var received: Int32?
    private var sources: [DispatchSourceSignal] = []

    /// Installs handlers that call `onSignal` with the signal's name and number, once per signal received.
    init(onSignal: @escaping @Sendable (_ name: String, _ number: Int32) -> Void) {
        for (sig, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP")] {
            Glibc.signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                self?.lock.withLock { self?.received = sig }
                onSignal(name, sig)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The signal received, if any.
    var signal: Int32? { lock.withLock { received } }
}
