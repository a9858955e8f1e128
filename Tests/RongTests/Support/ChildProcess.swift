import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, its standard output (and optionally its standard
/// error) on a pipe.
///
/// Not Foundation's `Process`: on Linux its `run()` lists `/proc/self/fd` copying each entry's
/// whole 256-byte name, which reads past glibc's buffer and crashes now and then
/// (swift-corelibs-foundation PR #5472, fixed after Swift 6.3). The test process holds well over
/// a thousand descriptors (databases, sockets), which made it crash about one full run in six.
struct ChildProcess {
    let pid: pid_t
    /// The read end of the child's standard output.
    let output: FileHandle

    /// Starts `path` with `arguments` (not including the program name). Standard error goes to
    /// the same pipe when `mergeErrors`, else to /dev/null. Every other descriptor this process has
    /// open is close-on-exec (SQLite, NIO and the pipe itself open theirs so).
    static func spawn(_ path: String, _ arguments: [String], mergeErrors: Bool = false) throws -> ChildProcess {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        if mergeErrors {
            posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO)
        }
        return ChildProcess(pid: pid, output: FileHandle(fileDescriptor: fds[0], closeOnDealloc: true))
    }

    /// Runs `arguments[0]` (looked up on PATH through /usr/bin/env) to the end; its exit status and
    /// everything it wrote to standard output and standard error.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let child = try spawn("/usr/bin/env", arguments, mergeErrors: true)
        let data = child.output.readDataToEndOfFile()
        let status = child.wait()
        return (status.exitCode ?? -1, String(decoding: data, as: UTF8.self))
    }

    func kill(_ signal: Int32) {
        _ = Glibc.kill(pid, signal)
    }

    /// Waits for the child to end: its exit code, or the signal that ended it.
    @discardableResult
    func wait() -> (exitCode: Int32?, signal: Int32?) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let low = status & 0x7f
        return low == 0 ? ((status >> 8) & 0xff, nil) : (nil, low)
    }
}
