/*
 * Layer 1 of the sandbox: namespaces and the tool's file-system view, built the way bubblewrap builds one.
 *
 *   wfhost-worker (the process the host spawned; stays in the host's namespaces)
 *     unshare(user, mount, IPC, PID [, network]); map the caller's uid and gid
 *     └─ init, PID 1 of the new PID namespace: builds the root (tmpfs), mounts /proc and /dev, pivot_root
 *          └─ the worker proper, PID 2: drops capabilities, Landlock, seccomp, loads the plugin, serves
 *
 * The outer process and init pass the worker's exit status on (a signal is re-raised by the outer process, which
 * is not an init), forward the host's cancellation signal, and die with the host (parent-death signals, and the
 * PID namespace ends every process in it when init exits). The uid stays the caller's own, so files a tool
 * writes in its declared paths belong to the user who ran wfhost; what makes uid 0 harmless is that no
 * capability is left and that nothing but the declared paths is mounted (`/etc/shadow`, the state directory and
 * the credential stores are masked).
 */
#define _GNU_SOURCE
#include "sandbox.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Directories every program needs, read-only; those that are symlinks (merged /usr) are recreated as symlinks. */
static const char *const system_dirs[] = {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc",
                                          "/opt", NULL};
/* Never visible unless declared exactly: files only root should read, whatever a broad declaration says. */
static const char *const always_hidden[] = {"/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-",
                                            "/etc/sudoers", "/etc/sudoers.d", "/etc/ssh", "/etc/ssl/private",
                                            "/root", "/var/lib/sss", "/run/secrets", NULL};
/* Device nodes bound from the host's /dev (a user namespace cannot mknod). */
static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty", NULL};

#define BASE "/tmp"          /* where the staging tmpfs is mounted (in our own mount namespace only) */
#define NEWROOT "/newroot"   /* the tool's root, inside the staging tmpfs */
#define OLDROOT "/oldroot"   /* the host's root, while the view is built */

static int fail(char *message, size_t size, const char *what, const char *path) {
    snprintf(message, size, "%s%s%s: %s", what, path ? " " : "", path ? path : "", strerror(errno));
    return -1;
}

static int write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* mkdir -p inside the new root; an existing directory is fine. */
static int make_dirs(const char *path, mode_t mode) {
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) { errno = ENAMETOOLONG; return -1; }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, mode) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(buf, mode) != 0 && errno != EEXIST ? -1 : 0;
}

/* One entry of the view: a bind of the host's `path` (read-only or writable), or a mask over it. */
/* kind: 0 read-only, 1 writable, 2 mask, 3 a system directory (read-only even beneath a writable "/") */
typedef struct entry { char path[PATH_MAX]; int kind; } entry;

typedef struct view { entry *items; size_t count, cap; } view;

static int add_entry(view *v, const char *path, int kind) {
    if (!path || path[0] != '/') return 0;
    char real[PATH_MAX];
    if (!realpath(path, real)) {
        /* A declared path that does not exist grants nothing; a mask over nothing hides nothing. */
        return 0;
    }
    for (size_t i = 0; i < v->count; i++) {
        if (strcmp(v->items[i].path, real) == 0) {
            /* A declaration wins over a mask (the path was declared exactly); writable wins over read-only. */
            if (kind == 2) return 0;
            if (kind == 1 || v->items[i].kind == 2) v->items[i].kind = kind;
            return 0;
        }
    }
    if (v->count == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 32;
        entry *items = realloc(v->items, cap * sizeof *items);
        if (!items) { errno = ENOMEM; return -1; }
        v->items = items;
        v->cap = cap;
    }
    snprintf(v->items[v->count].path, PATH_MAX, "%s", real);
    v->items[v->count++].kind = kind;
    return 0;
}

/* Shorter paths first, so that a nested entry is mounted over its parent's. */
static int by_length(const void *a, const void *b) {
    size_t la = strlen(((const entry *)a)->path), lb = strlen(((const entry *)b)->path);
    return la < lb ? -1 : la > lb ? 1 : strcmp(((const entry *)a)->path, ((const entry *)b)->path);
}

/* The credential stores of a home directory, masked unless declared. */
static int add_home_masks(view *v, const char *home) {
    static const char *const stores[] = {".ssh", ".aws", ".config/gcloud", ".docker", ".kube", ".gnupg", ".netrc",
                                         ".git-credentials", ".config/gh", ".pgpass", NULL};
    char path[PATH_MAX];
    for (int i = 0; stores[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", home, stores[i]);
        if (add_entry(v, path, 2) != 0) return -1;
    }
    return 0;
}

static int collect(const sandbox_spec *spec, view *v) {
    /* A broad declaration: everything not hidden, read-only, or writable when "/" is a declared write path. */
    int whole = 0;
    for (size_t i = 0; i < spec->read_count; i++) if (strcmp(spec->read_paths[i], "/") == 0) whole = 1;
    for (size_t i = 0; i < spec->write_count; i++) if (strcmp(spec->write_paths[i], "/") == 0) whole = 2;
    if (whole && add_entry(v, "/", whole == 2 ? 1 : 0) != 0) return -1;
    for (int i = 0; system_dirs[i]; i++) {
        struct stat st;
        if (lstat(system_dirs[i], &st) == 0 && !S_ISLNK(st.st_mode) && add_entry(v, system_dirs[i], 3) != 0) return -1;
    }
    /* The kernel's interfaces stay read-only beneath a broad declaration. */
    if (whole && add_entry(v, "/sys", 3) != 0) return -1;
    if (spec->plugin_path) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", spec->plugin_path);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) *slash = 0;
        if (add_entry(v, dir, 0) != 0) return -1;
    }
    /* The directories of PATH, read-only: tools that run programs find them there. */
    const char *path_env = getenv("PATH");
    if (path_env) {
        char *copy = strdup(path_env), *save = NULL;
        if (!copy) return -1;
        for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
            if (add_entry(v, p, 0) != 0) { free(copy); return -1; }
        }
        free(copy);
    }
    for (size_t i = 0; i < spec->read_count; i++) {
        if (strcmp(spec->read_paths[i], "/") != 0 && add_entry(v, spec->read_paths[i], 0) != 0) return -1;
    }
    for (size_t i = 0; i < spec->write_count; i++) {
        if (strcmp(spec->write_paths[i], "/") != 0 && add_entry(v, spec->write_paths[i], 1) != 0) return -1;
    }
    if (spec->work_dir && add_entry(v, spec->work_dir, 1) != 0) return -1;
    for (int i = 0; always_hidden[i]; i++) if (add_entry(v, always_hidden[i], 2) != 0) return -1;
    for (size_t i = 0; i < spec->hide_count; i++) if (add_entry(v, spec->hide_paths[i], 2) != 0) return -1;
    const char *home = getenv("WFHOST_USER_HOME");
    if (home && add_home_masks(v, home) != 0) return -1;
    if (add_home_masks(v, "/root") != 0) return -1;
    qsort(v->items, v->count, sizeof *v->items, by_length);
    return 0;
}

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
struct wfh_mount_attr { unsigned long long attr_set, attr_clr, propagation, userns_fd; };
#define WFH_MOUNT_ATTR_RDONLY 0x1ULL
#define WFH_MOUNT_ATTR_NOSUID 0x2ULL
#define WFH_MOUNT_ATTR_NODEV 0x4ULL
#define WFH_AT_RECURSIVE 0x8000

/* mount_setattr(2) (Linux 5.12) makes a whole tree read-only; older kernels keep the top mount's flag only. */
static int make_tree_readonly(const char *path) {
    struct wfh_mount_attr attr = {WFH_MOUNT_ATTR_RDONLY | WFH_MOUNT_ATTR_NOSUID | WFH_MOUNT_ATTR_NODEV, 0, 0, 0};
    if (syscall(SYS_mount_setattr, AT_FDCWD, path, WFH_AT_RECURSIVE, &attr, sizeof attr) == 0) return 0;
    return errno == ENOSYS ? 0 : -1;
}

/* Masked directories: tmpfs mounts, writable until every entry is mounted (a declared path beneath a mask, such
 * as a work directory under the state directory, needs its mount point), then made read-only. */
static char masked_dirs[WFH_SANDBOX_MAX_PATHS + 32][PATH_MAX + 16];
static size_t masked_count;

/* Mounts one entry at NEWROOT + path. */
static int mount_entry(const entry *e, char *message, size_t size) {
    char src[PATH_MAX + 16], dst[PATH_MAX + 16];
    snprintf(src, sizeof src, OLDROOT "%s", strcmp(e->path, "/") == 0 ? "" : e->path);
    snprintf(dst, sizeof dst, NEWROOT "%s", strcmp(e->path, "/") == 0 ? "" : e->path);
    struct stat st;
    if (stat(src, &st) != 0) return 0; /* gone since it was resolved */
    if (e->kind == 2) {
        struct stat in_view;
        if (lstat(dst, &in_view) != 0) return 0; /* not visible: nothing to mask */
        if (S_ISDIR(in_view.st_mode)) {
            if (mount("tmpfs", dst, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=16k,mode=0755") != 0)
                return fail(message, size, "cannot mask", e->path);
            if (masked_count < sizeof masked_dirs / sizeof masked_dirs[0])
                snprintf(masked_dirs[masked_count++], sizeof masked_dirs[0], "%s", dst);
        } else if (mount(OLDROOT "/dev/null", dst, NULL, MS_BIND, NULL) != 0 ||
                   mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) {
            return fail(message, size, "cannot mask", e->path);
        }
        return 0;
    }
    /* The mount point: a directory or an empty file, created where it does not exist yet. */
    struct stat existing;
    if (lstat(dst, &existing) != 0) {
        if (S_ISDIR(st.st_mode)) {
            if (make_dirs(dst, 0755) != 0) return 0; /* beneath a read-only entry that lacks it: not visible */
        } else {
            char parent[PATH_MAX + 16];
            snprintf(parent, sizeof parent, "%s", dst);
            char *slash = strrchr(parent, '/');
            if (slash) *slash = 0;
            if (make_dirs(parent, 0755) != 0) return 0;
            int fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
            if (fd < 0) return 0;
            close(fd);
        }
    }
    if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) != 0) return fail(message, size, "cannot bind", e->path);
    int readonly = e->kind != 1;
    unsigned long flags = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | (readonly ? MS_RDONLY : 0);
    if (mount(NULL, dst, NULL, flags, NULL) != 0) {
        /* A bind of a mount whose flags are locked (nodev, noexec, ...) must keep them: retry with fewer. */
        if (readonly && mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) == 0) flags = 0;
        else if (e->kind == 1) return 0; /* stays as writable as it was */
        else return fail(message, size, "cannot make read-only", e->path);
    }
    /* Read-only all the way down: mounts beneath a bound directory (a tmpfs on /run, say) are covered too. */
    if (readonly && make_tree_readonly(dst) != 0) return fail(message, size, "cannot make read-only", e->path);
    return 0;
}

static int build_dev(int writable_shm, char *message, size_t size) {
    if (mkdir(NEWROOT "/dev", 0755) != 0 && errno != EEXIST) return fail(message, size, "cannot create", "/dev");
    if (mount("tmpfs", NEWROOT "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755") != 0)
        return fail(message, size, "cannot mount a tmpfs on", "/dev");
    char src[64], dst[64];
    for (int i = 0; dev_nodes[i]; i++) {
        snprintf(src, sizeof src, OLDROOT "/dev/%s", dev_nodes[i]);
        snprintf(dst, sizeof dst, NEWROOT "/dev/%s", dev_nodes[i]);
        int fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
        if (fd >= 0) close(fd);
        if (mount(src, dst, NULL, MS_BIND, NULL) != 0 && errno != ENOENT) return fail(message, size, "cannot bind", src + 8);
    }
    static const char *const links[][2] = {{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"},
                                           {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"}};
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        snprintf(dst, sizeof dst, NEWROOT "/dev/%s", links[i][1]);
        if (symlink(links[i][0], dst) != 0) return fail(message, size, "cannot create", dst + 8);
    }
    if (mkdir(NEWROOT "/dev/shm", 01777) != 0 ||
        mount("tmpfs", NEWROOT "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | (writable_shm ? 0 : MS_RDONLY),
              "size=64m,mode=1777") != 0)
        return fail(message, size, "cannot mount a tmpfs on", "/dev/shm");
    return mount(NULL, NEWROOT "/dev", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755") == 0
               ? 0 : fail(message, size, "cannot make read-only", "/dev");
}

static int is_beneath(const char *path, const char *dir) {
    size_t n = strlen(dir);
    return strcmp(dir, "/") == 0 || (strncmp(path, dir, n) == 0 && path[n] == '/');
}

/* Whether an earlier bind entry of `v` (sorted by length) is an ancestor of entry i and shows it as it should be
 * shown: a system directory needs its own read-only mount beneath a writable ancestor; the view's own /proc, /dev
 * and /tmp cover what "/" would show beneath them. */
static int covered(const view *v, size_t i) {
    const char *path = v->items[i].path;
    int private_mount = is_beneath(path, "/dev") || is_beneath(path, "/proc");
    for (size_t j = 0; j < i; j++) {
        if (v->items[j].kind == 2) continue;
        if (v->items[i].kind == 3 && v->items[j].kind == 1) continue;
        const char *a = v->items[j].path;
        if (strcmp(a, "/") == 0 && private_mount) continue;
        if (is_beneath(path, a)) return 1;
    }
    return 0;
}

/* Builds the view and pivots into it. Runs in init (PID 1 of the new PID namespace, so /proc is its own). */
static int build_root(const sandbox_spec *spec, char *message, size_t size) {
    view v = {0};
    if (collect(spec, &v) != 0) { free(v.items); return fail(message, size, "cannot resolve the sandbox's paths", NULL); }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) { free(v.items); return fail(message, size, "cannot make / private", NULL); }
    if (mount("tmpfs", BASE, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755") != 0) {
        free(v.items);
        return fail(message, size, "cannot mount the staging tmpfs on", BASE);
    }
    if (mkdir(BASE OLDROOT, 0755) != 0 || mkdir(BASE NEWROOT, 0755) != 0 ||
        syscall(SYS_pivot_root, BASE, BASE OLDROOT) != 0 || chdir("/") != 0) {
        free(v.items);
        return fail(message, size, "cannot pivot into the staging root", NULL);
    }
    if (mount("tmpfs", NEWROOT, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755") != 0) {
        free(v.items);
        return fail(message, size, "cannot mount the tool's root", NULL);
    }
    /* Symlinked system directories (merged /usr) as symlinks. */
    char link[PATH_MAX], dst[PATH_MAX + 16], src[PATH_MAX + 16];
    for (int i = 0; system_dirs[i]; i++) {
        snprintf(src, sizeof src, OLDROOT "%s", system_dirs[i]);
        ssize_t n = readlink(src, link, sizeof link - 1);
        if (n <= 0) continue;
        link[n] = 0;
        snprintf(dst, sizeof dst, NEWROOT "%s", system_dirs[i]);
        if (symlink(link, dst) != 0 && errno != EEXIST) { free(v.items); return fail(message, size, "cannot create", system_dirs[i]); }
    }
    /* "/" (a broad declaration) first, then what every view has, then the rest, parents before children. */
    size_t first = 0;
    int root_writable = v.count > 0 && strcmp(v.items[0].path, "/") == 0 && v.items[0].kind == 1;
    if (v.count > 0 && strcmp(v.items[0].path, "/") == 0) {
        if (mount_entry(&v.items[0], message, size) != 0) { free(v.items); return -1; }
        first = 1;
    }
    if (make_dirs(NEWROOT "/proc", 0555) != 0 ||
        mount("proc", NEWROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) {
        free(v.items);
        return fail(message, size, "cannot mount a /proc of the PID namespace", NULL);
    }
    if (build_dev(spec->work_dir != NULL, message, size) != 0) { free(v.items); return -1; }
    /* A private /tmp (TMPDIR points at the work directory; programs that insist on /tmp get this one); the
     * scanner, which may write nowhere, gets it read-only (after the entries beneath it are mounted). Beneath a
     * broad declaration ("/") the host's /tmp is part of what was declared. */
    if (first == 0) {
        if (make_dirs(NEWROOT "/tmp", 01777) != 0 ||
            mount("tmpfs", NEWROOT "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=256m,mode=1777") != 0) {
            free(v.items);
            return fail(message, size, "cannot mount a tmpfs on", "/tmp");
        }
        if (!spec->work_dir && masked_count < sizeof masked_dirs / sizeof masked_dirs[0])
            snprintf(masked_dirs[masked_count++], sizeof masked_dirs[0], NEWROOT "/tmp");
    }
    for (size_t i = first; i < v.count; i++) {
        /* A read-only entry already visible through a mounted ancestor needs no mount of its own (and must not
         * take the write access of a declared writable ancestor away). */
        if ((v.items[i].kind == 0 || v.items[i].kind == 3) && covered(&v, i)) continue;
        if (mount_entry(&v.items[i], message, size) != 0) { free(v.items); return -1; }
    }
    free(v.items);
    for (size_t i = 0; i < masked_count; i++) {
        if (mount(NULL, masked_dirs[i], NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=16k,mode=0755") != 0)
            return fail(message, size, "cannot make a mask read-only:", masked_dirs[i] + strlen(NEWROOT));
    }
    if (umount2(OLDROOT, MNT_DETACH) != 0) return fail(message, size, "cannot detach the host's root", NULL);
    if (chdir(NEWROOT) != 0 || syscall(SYS_pivot_root, ".", ".") != 0 || umount2(".", MNT_DETACH) != 0 || chdir("/") != 0)
        return fail(message, size, "cannot pivot into the tool's root", NULL);
    if (!root_writable && mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) != 0)
        return fail(message, size, "cannot make the tool's root read-only", NULL);
    return 0;
}

/* --- the processes above the worker ------------------------------------------------------------------------ */

static volatile pid_t forward_to = 0;

static void forward_signal(int sig) {
    if (forward_to > 0) kill(forward_to, sig);
}

/* Ends the calling process the way `status` says its child ended: the same exit code, or the same signal. */
static void pass_on(int status) {
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        struct rlimit none = {0, 0};
        setrlimit(RLIMIT_CORE, &none); /* the real crash already happened in the child */
        signal(sig, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        kill(getpid(), sig);
        _exit(128 + sig);
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 70);
}

/* Waits for `child`, reaping every other process that comes to us meanwhile; returns the child's wait status. */
static int wait_for(pid_t child) {
    for (;;) {
        int status = 0;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid == child) return status;
        if (pid < 0 && errno != EINTR) return 0;
    }
}

static void handle(int sig, void (*fn)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = SA_RESTART;
    sigaction(sig, &sa, NULL);
}

/* The host's process (outside the namespaces): forwards cancellation to init and passes the worker's status on. */
static void run_outer(pid_t init, int status_fd) {
    forward_to = init;
    handle(SIGUSR1, forward_signal);
    handle(SIGTERM, SIG_IGN); /* the host signals the whole group: the worker receives its own copy */
    for (int fd = 0; fd < 6; fd++) if (fd != 2 && fd != status_fd) close(fd);
    int init_status = wait_for(init);
    int worker_status;
    if (read(status_fd, &worker_status, sizeof worker_status) == (ssize_t)sizeof worker_status) pass_on(worker_status);
    pass_on(init_status); /* init itself was killed (by the host's SIGKILL of the group) */
}

/* PID 1: forwards cancellation to the worker, reaps orphans, and reports the worker's status on the pipe. */
static void run_init(pid_t worker, int status_fd) {
    forward_to = worker;
    handle(SIGUSR1, forward_signal);
    for (int fd = 0; fd < 6; fd++) if (fd != 2 && fd != status_fd) close(fd);
    int status = wait_for(worker);
    (void)!write(status_fd, &status, sizeof status);
    _exit(0); /* the kernel now kills every process left in the namespace */
}

int sandbox_enter_namespaces(const sandbox_spec *spec, sandbox_status *status, char *message, size_t size) {
    uid_t uid = getuid();
    gid_t gid = getgid();
    int flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWPID | (spec->network ? 0 : CLONE_NEWNET);
    if (unshare(flags) != 0) {
        snprintf(status->missing, sizeof status->missing, "namespaces (unshare: %s)", strerror(errno));
        return 0; /* the other layers still apply; the host says which are missing */
    }
    char map[64];
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned)uid, (unsigned)uid);
    if (write_file("/proc/self/uid_map", map) != 0) return fail(message, size, "cannot write the uid map", NULL);
    if (write_file("/proc/self/setgroups", "deny") != 0 && errno != ENOENT)
        return fail(message, size, "cannot deny setgroups", NULL);
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned)gid, (unsigned)gid);
    if (write_file("/proc/self/gid_map", map) != 0) return fail(message, size, "cannot write the gid map", NULL);
    status->user_ns = status->mount_ns = status->ipc_ns = status->pid_ns = 1;
    status->net_ns = !spec->network;

    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) return fail(message, size, "cannot create a pipe", NULL);
    fflush(NULL);
    pid_t init = fork();
    if (init < 0) return fail(message, size, "cannot fork the sandbox's init", NULL);
    if (init > 0) {
        close(pipe_fds[1]);
        run_outer(init, pipe_fds[0]);
    }
    /* init */
    close(pipe_fds[0]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (build_root(spec, message, size) != 0) return -1; /* the worker reports it and exits; init's exit follows */
    if (spec->work_dir && chdir(spec->work_dir) != 0)
        return fail(message, size, "cannot enter the working directory", spec->work_dir);
    pid_t worker = fork();
    if (worker < 0) return fail(message, size, "cannot fork the worker", NULL);
    if (worker > 0) run_init(worker, pipe_fds[1]);
    close(pipe_fds[1]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    return 0;
}
