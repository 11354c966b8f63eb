/*
 * Thin C shims for the host: the few Linux calls and macros Swift's Glibc module does not expose
 * (pipe2, pidfd, prctl, posix_spawn with closefrom, the wait-status macros). Each does one call.
 */
#ifndef WFH_SUPPORT_H
#define WFH_SUPPORT_H
#include <sys/types.h>
#include "wfh_protocol.h" /* the worker protocol's numbers, for Swift */

/* Creates a pipe with O_CLOEXEC on both ends. Returns 0 or -errno. */
int wfh_pipe_cloexec(int fds[2]);

/*
 * Spawns `path` with `argv` and `envp` in a new process group, with default signal dispositions and an empty
 * signal mask. Child fd `to[i]` is a copy of parent fd `from[i]` (i < count); every other fd above 2 is closed
 * in the child. Returns 0 and sets *pid, or -errno.
 */
int wfh_spawn(const char *path, char *const argv[], char *const envp[], const int *from, const int *to, int count,
              pid_t *pid);

/* pidfd_open(2). Returns the fd or -errno (-ENOSYS on kernels without it). */
int wfh_pidfd_open(pid_t pid);
/* pidfd_send_signal(2). Returns 0 or -errno. */
int wfh_pidfd_send_signal(int pidfd, int sig);

/* Makes the calling process a child subreaper, so orphaned grandchildren are re-parented to it. 0 or -errno. */
int wfh_set_child_subreaper(void);
/** How many processes of process group `pgid` have not ended (zombies do not count); -errno without /proc. */
int wfh_group_live_members(pid_t pgid);

int wfh_wifexited(int status);
int wfh_wexitstatus(int status);
int wfh_wifsignaled(int status);
int wfh_wtermsig(int status);
int wfh_wcoredump(int status);

/* Sets O_NONBLOCK on fd. Returns 0 or -errno. */
int wfh_set_nonblocking(int fd);

/* Modification time of a stat result in nanoseconds since the epoch, device and inode (Swift lacks st_mtim names
 * portably). Returns 0 or -errno. */
int wfh_fstat_identity(int fd, unsigned long long *dev, unsigned long long *ino, long long *size,
                       long long *mtime_ns, int *is_regular);

#endif
