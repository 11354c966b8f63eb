/*
 * `wfhost-worker exec [options] -- COMMAND [ARGS...]`: confine the process exactly as for a plugin's calls, then
 * execve COMMAND in its place. This is how an MCP tool server runs (README "MCP tool servers"): stdin and stdout
 * stay the server's JSON-RPC pipe, stderr stays the pipe the host reads, every other descriptor is closed.
 *
 * The sandbox is the one of sandbox.c and namespaces.c, built from the server's declared capabilities (the
 * options are those of `serve`): namespaces and the mount view, rlimits and no_new_privs, no capabilities,
 * Landlock, and the same seccomp filter. That filter never denied execve (tools run programs), so the server's
 * own start needs no second policy; what it denies (sockets other than AF_UNIX without the network capability,
 * ptrace, mount, namespaces, io_uring, bpf, keyrings, ...) is inherited across execve and binds the server and
 * everything it starts. The trade-off: a server may exec any program in its view (the system directories, PATH
 * and its declared paths), but each of them is as confined as the server.
 */
#define _GNU_SOURCE
#include "sandbox.h"
#include "worker.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#define WFH_CLOSE_RANGE_CLOEXEC (1U << 2)

/* Exit status when the sandbox cannot be set up (EX_OSERR); the reason is on stderr. */
#define EXEC_SANDBOX_FAILED 71
/* Exit status when the command cannot be executed inside the sandbox (as a shell says it). */
#define EXEC_NOT_RUNNABLE 127

int run_exec(const sandbox_spec *requested, char *const command[]) {
    sandbox_spec spec = *requested;
    /* Nothing but stdin, stdout and stderr reaches the server. */
    if (syscall(SYS_close_range, 3U, ~0U, WFH_CLOSE_RANGE_CLOEXEC) != 0) {
        for (int fd = 3; fd < 1024; fd++) {
            int flags = fcntl(fd, F_GETFD);
            if (flags >= 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
        }
    }
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core); /* a crashing server leaves no core file with its memory (and secrets) */
    /* Where a link leads, resolved in the host's view (for the message when its target is not in the sandbox's). */
    static char real[PATH_MAX];
    int linked = realpath(command[0], real) != NULL && strcmp(real, command[0]) != 0;
    sandbox_status status;
    char message[1024];
    if (sandbox_apply(&spec, &status, message, sizeof message) != 0) {
        fprintf(stderr, "wfhost-worker: cannot confine %s: %s\n", command[0], message);
        return EXEC_SANDBOX_FAILED;
    }
    /* Ours, not the server's. */
    unsetenv("WFHOST_USER_HOME");
    unsetenv("WFHOST_PARENT_PID");
    execv(command[0], command);
    int saved = errno;
    int unseen = saved == ENOENT || saved == EACCES;
    fprintf(stderr, "wfhost-worker: cannot run %s in the sandbox: %s%s%s%s\n", command[0], strerror(saved),
            unseen && linked ? "; it leads to " : "", unseen && linked ? real : "",
            unseen ? " (only the system directories, PATH, the command, its file arguments and the paths under "
                     "capabilities read_paths and write_paths are visible)"
                   : "");
    return EXEC_NOT_RUNNABLE;
}
