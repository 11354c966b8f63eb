#if canImport(Glibc)
import Glibc
#endif

/// A pthread mutex: serializes calls on one connection.
final class Mutex: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() {
        var attr = pthread_mutexattr_t()
        pthread_mutexattr_init(&attr)
        pthread_mutexattr_settype(&attr, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(&mutex, &attr)
        pthread_mutexattr_destroy(&attr)
    }
    deinit { pthread_mutex_destroy(&mutex) }
    func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}
