#define _GNU_SOURCE
#include "wfh_support.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int wfh_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC) == 0 ? 0 : -errno; }

int wfh_spawn(const char *path, char *const argv[], char *const envp[], const int *from, const int *to, int count,
              pid_t *pid) {
    /* Move every source fd above the highest target first, so that a dup2 never overwrites a source that a
     * later action still needs (a pipe end may well be fd 3 or 4 in the parent). */
    enum { MAX_MAP = 16, HIGH = 64 };
    if (count > MAX_MAP) return -EINVAL;
    int high[MAX_MAP];
    int maxto = 2, rc = 0;
    for (int i = 0; i < count; i++) {
        high[i] = fcntl(from[i], F_DUPFD_CLOEXEC, HIGH);
        if (high[i] < 0) {
            rc = -errno;
            for (int j = 0; j < i; j++) close(high[j]);
            return rc;
        }
        if (to[i] > maxto) maxto = to[i];
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    for (int i = 0; i < count; i++) posix_spawn_file_actions_adddup2(&fa, high[i], to[i]);
    posix_spawn_file_actions_addclosefrom_np(&fa, maxto + 1);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int err = posix_spawn(pid, path, &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    for (int i = 0; i < count; i++) close(high[i]);
    return err == 0 ? 0 : -err;
}

int wfh_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    long fd = syscall(SYS_pidfd_open, pid, 0);
    return fd >= 0 ? (int)fd : -errno;
#else
    (void)pid;
    return -ENOSYS;
#endif
}

int wfh_pidfd_send_signal(int pidfd, int sig) {
#ifdef SYS_pidfd_send_signal
    return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) == 0 ? 0 : -errno;
#else
    (void)pidfd; (void)sig;
    return -ENOSYS;
#endif
}

int wfh_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1) == 0 ? 0 : -errno; }

int wfh_wifexited(int status) { return WIFEXITED(status); }
int wfh_wexitstatus(int status) { return WEXITSTATUS(status); }
int wfh_wifsignaled(int status) { return WIFSIGNALED(status); }
int wfh_wtermsig(int status) { return WTERMSIG(status); }
int wfh_wcoredump(int status) { return WCOREDUMP(status); }

int wfh_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return -errno;
    return 0;
}

int wfh_fstat_identity(int fd, unsigned long long *dev, unsigned long long *ino, long long *size,
                       long long *mtime_ns, int *is_regular) {
    struct stat st;
    if (fstat(fd, &st) != 0) return -errno;
    *dev = (unsigned long long)st.st_dev;
    *ino = (unsigned long long)st.st_ino;
    *size = (long long)st.st_size;
    *mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    *is_regular = S_ISREG(st.st_mode) ? 1 : 0;
    return 0;
}

int wfh_group_live_members(pid_t pgid) {
    DIR *proc = opendir("/proc");
    if (!proc) return -errno;
    int live = 0;
    struct dirent *entry;
    while ((entry = readdir(proc)) != NULL) {
        if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", entry->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue; /* it ended meanwhile */
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0) continue;
        buf[n] = 0;
        /* "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so parse after the last ')'. */
        char *end = strrchr(buf, ')');
        if (!end) continue;
        char state = 0;
        int ppid = 0, group = 0;
        if (sscanf(end + 1, " %c %d %d", &state, &ppid, &group) != 3) continue;
        if (group == pgid && state != 'Z' && state != 'X') live++;
    }
    closedir(proc);
    return live;
}
