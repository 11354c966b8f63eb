#define _GNU_SOURCE
#include "sandbox.h"
#include "wfh_json_writer.h"
#include <linux/capability.h>
#include <seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Landlock's ABI, spelled out here because distribution headers lag the kernels they run on. */
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_FS_EXECUTE (1ULL << 0)
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_FS_REFER (1ULL << 13)     /* ABI 2 */
#define LL_FS_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#define LL_NET_BIND_TCP (1ULL << 0)  /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ULL << 1)
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

struct ll_ruleset_attr { uint64_t handled_access_fs; uint64_t handled_access_net; uint64_t scoped; };
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL (1ULL << 1)               /* ABI 6 */
struct ll_path_beneath_attr { uint64_t allowed_access; int32_t parent_fd; } __attribute__((packed));

int apply_limits(const sandbox_spec *spec, char *message, size_t size) {
    struct { int resource; long value; unsigned long long scale; const char *name; } limits[] = {
        {RLIMIT_AS, spec->mem_mb, 1ULL << 20, "memory"},
        {RLIMIT_CPU, spec->cpu_seconds, 1, "CPU time"},
        {RLIMIT_NOFILE, spec->max_files, 1, "open files"},
    };
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        if (limits[i].value <= 0) continue;
        struct rlimit rl;
        rl.rlim_cur = rl.rlim_max = (rlim_t)limits[i].value * limits[i].scale;
        if (limits[i].resource == RLIMIT_CPU) rl.rlim_max = rl.rlim_cur + 1; /* SIGXCPU first, then SIGKILL */
        if (setrlimit((__rlimit_resource_t)limits[i].resource, &rl) != 0) {
            snprintf(message, size, "cannot set the %s limit: %s", limits[i].name, strerror(errno));
            return -1;
        }
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snprintf(message, size, "cannot set no_new_privs: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static int add_path(int ruleset, const char *path, uint64_t access, uint64_t handled) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) return 0; /* a declared path that does not exist grants nothing */
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode)) {
        /* Rules on a file may only carry file rights. */
        access &= LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV;
    }
    struct ll_path_beneath_attr attr = {access & handled, fd};
    int rc = (int)syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &attr, 0);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}


/* What every tool may read besides its declared paths: the programs and libraries it runs on. */
static const char *const system_read_paths[] = {"/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/etc", "/opt",
                                                "/proc", "/dev", NULL};

int apply_landlock(const sandbox_spec *spec, char *message, size_t size) {
    int abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
    if (abi < 0) {
        if (errno == ENOSYS || errno == EOPNOTSUPP) return 0;
        snprintf(message, size, "cannot query Landlock: %s", strerror(errno));
        return -1;
    }
    uint64_t handled = (1ULL << 13) - 1; /* ABI 1: EXECUTE .. MAKE_SYM */
    if (abi >= 2) handled |= LL_FS_REFER;
    if (abi >= 3) handled |= LL_FS_TRUNCATE;
    if (abi >= 5) handled |= LL_FS_IOCTL_DEV;
    struct ll_ruleset_attr attr = {handled, 0, 0};
    if (abi >= 4 && !spec->network) attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
    /* ABI 6: no signals to processes outside the sandbox (the host among them), and no abstract unix sockets
     * outside it unless the tool may use the network. */
    if (abi >= 6) attr.scoped = LL_SCOPE_SIGNAL | (spec->network ? 0 : LL_SCOPE_ABSTRACT_UNIX_SOCKET);
    size_t attr_size = abi >= 6 ? sizeof attr : abi >= 4 ? offsetof(struct ll_ruleset_attr, scoped)
                                                         : sizeof attr.handled_access_fs;
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
    if (ruleset < 0) {
        snprintf(message, size, "cannot create a Landlock ruleset: %s", strerror(errno));
        return -1;
    }
    const uint64_t read = LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR;
    const uint64_t write = handled;
    int rc = 0;
    int whole = 0;
    for (size_t i = 0; i < spec->read_count; i++) if (strcmp(spec->read_paths[i], "/") == 0) whole = 1;
    if (whole) {
        rc |= add_path(ruleset, "/", read, handled);
    } else {
        for (int i = 0; system_read_paths[i]; i++) rc |= add_path(ruleset, system_read_paths[i], read, handled);
        if (spec->plugin_path) {
            char dir[4096];
            snprintf(dir, sizeof dir, "%s", spec->plugin_path);
            char *slash = strrchr(dir, '/');
            if (slash && slash != dir) *slash = 0;
            rc |= add_path(ruleset, dir, read, handled);
        }
        const char *path_env = getenv("PATH");
        char *copy = path_env ? strdup(path_env) : NULL, *save = NULL;
        for (char *p = copy ? strtok_r(copy, ":", &save) : NULL; p; p = strtok_r(NULL, ":", &save))
            if (p[0] == '/') rc |= add_path(ruleset, p, read, handled);
        free(copy);
        for (size_t i = 0; i < spec->read_count; i++) rc |= add_path(ruleset, spec->read_paths[i], read, handled);
    }
    if (spec->work_dir) rc |= add_path(ruleset, spec->work_dir, write, handled);
    rc |= add_path(ruleset, "/dev/null", LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE, handled);
    rc |= add_path(ruleset, "/dev/shm", write, handled);
    for (size_t i = 0; i < spec->write_count; i++) rc |= add_path(ruleset, spec->write_paths[i], write, handled);
    if (rc != 0) {
        snprintf(message, size, "cannot add a Landlock rule: %s", strerror(errno));
        close(ruleset);
        return -1;
    }
    if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) {
        snprintf(message, size, "cannot apply the Landlock ruleset: %s", strerror(errno));
        close(ruleset);
        return -1;
    }
    close(ruleset);
    return abi;
}

int drop_capabilities(char *message, size_t size) {
    /* The bounding set first (it needs CAP_SETPCAP, which goes with the rest), so that no exec can regain any. */
    int bounded = 1;
    for (int cap = 0; cap <= 63; cap++) {
        if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0) break; /* past the kernel's last capability */
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) bounded = 0;
    }
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &header, data) != 0) {
        snprintf(message, size, "cannot drop capabilities: %s", strerror(errno));
        return -1;
    }
    return bounded;
}

/* Syscalls no tool needs and a hostile one would use to escape or to reach the kernel's rarer corners. */
static const int denied_syscalls[] = {
    SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter), SCMP_SYS(io_uring_register),
    SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev), SCMP_SYS(process_madvise),
    SCMP_SYS(pidfd_getfd), SCMP_SYS(kcmp),
    SCMP_SYS(bpf), SCMP_SYS(perf_event_open), SCMP_SYS(userfaultfd),
    SCMP_SYS(kexec_load), SCMP_SYS(kexec_file_load), SCMP_SYS(init_module), SCMP_SYS(finit_module),
    SCMP_SYS(delete_module), SCMP_SYS(reboot), SCMP_SYS(swapon), SCMP_SYS(swapoff), SCMP_SYS(acct),
    SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key),
    SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(pivot_root), SCMP_SYS(chroot), SCMP_SYS(mount_setattr),
    SCMP_SYS(move_mount), SCMP_SYS(open_tree), SCMP_SYS(fsopen), SCMP_SYS(fsconfig), SCMP_SYS(fsmount),
    SCMP_SYS(fspick), SCMP_SYS(unshare), SCMP_SYS(setns), SCMP_SYS(open_by_handle_at), SCMP_SYS(name_to_handle_at),
    SCMP_SYS(quotactl), SCMP_SYS(settimeofday), SCMP_SYS(clock_settime), SCMP_SYS(clock_adjtime),
    SCMP_SYS(adjtimex), SCMP_SYS(syslog), SCMP_SYS(vhangup), SCMP_SYS(lookup_dcookie), SCMP_SYS(fanotify_init),
};

int apply_seccomp(const sandbox_spec *spec, char *message, size_t size) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) {
        snprintf(message, size, "cannot create the seccomp filter");
        return -1;
    }
    int rc = 0;
    /* Only the native architecture: a foreign one (i386's int $0x80, x32) kills the process. libseccomp checks
     * the x32 bit of x86-64 syscall numbers as part of the architecture check. */
    rc |= seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    const uint32_t denied = SCMP_ACT_ERRNO(EPERM);
    for (size_t i = 0; i < sizeof denied_syscalls / sizeof denied_syscalls[0]; i++) {
        if (denied_syscalls[i] < 0) continue; /* not on this architecture */
        rc |= seccomp_rule_add(ctx, denied, denied_syscalls[i], 0);
    }
    /* clone3 cannot be filtered by its flags (they are behind a pointer): ENOSYS makes libc fall back to clone,
     * whose namespace flags are refused below. */
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    const uint64_t ns_flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
                              | CLONE_NEWCGROUP | 0x00000080ULL /* CLONE_NEWTIME */;
    /* "Any of these bits" is one rule per bit. */
    for (int bit = 0; bit < 64; bit++) {
        uint64_t flag = 1ULL << bit;
        if (!(ns_flags & flag)) continue;
        rc |= seccomp_rule_add(ctx, denied, SCMP_SYS(clone), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag));
    }
    /* Socket families: AF_UNIX, plus AF_INET and AF_INET6 with the network capability. Netlink, packet and the
     * rest are refused with EACCES (which the host reports as the sandbox's refusal). */
    const uint32_t no_family = SCMP_ACT_ERRNO(EACCES);
    int calls[] = {SCMP_SYS(socket), SCMP_SYS(socketpair)};
    for (size_t c = 0; c < 2; c++) {
        rc |= seccomp_rule_add(ctx, no_family, calls[c], 1, SCMP_A0(SCMP_CMP_LT, AF_UNIX));
        if (spec->network) {
            for (int family = AF_UNIX + 1; family < AF_INET6; family++) {
                if (family == AF_INET) continue;
                rc |= seccomp_rule_add(ctx, no_family, calls[c], 1, SCMP_A0(SCMP_CMP_EQ, (uint64_t)family));
            }
            rc |= seccomp_rule_add(ctx, no_family, calls[c], 1, SCMP_A0(SCMP_CMP_GT, AF_INET6));
        } else {
            rc |= seccomp_rule_add(ctx, no_family, calls[c], 1, SCMP_A0(SCMP_CMP_GT, AF_UNIX));
        }
    }
    /* No typing into the controlling terminal of whoever ran wfhost. */
    rc |= seccomp_rule_add(ctx, denied, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, TIOCSTI));
    rc |= seccomp_rule_add(ctx, denied, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, TIOCLINUX));
    if (rc != 0) {
        snprintf(message, size, "cannot build the seccomp filter: %s", strerror(-rc > 0 ? -rc : EINVAL));
        seccomp_release(ctx);
        return -1;
    }
    rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if (rc != 0) {
        snprintf(message, size, "cannot install the seccomp filter: %s", strerror(-rc));
        return -1;
    }
    return 1;
}

int sandbox_apply(const sandbox_spec *spec, sandbox_status *status, char *message, size_t size) {
    memset(status, 0, sizeof *status);
    if (spec->mode != SANDBOX_OFF && sandbox_enter_namespaces(spec, status, message, size) != 0) return -1;
    if (spec->work_dir && chdir(spec->work_dir) != 0) {
        snprintf(message, size, "cannot enter the working directory %s: %s", spec->work_dir, strerror(errno));
        return -1;
    }
    if (apply_limits(spec, message, size) != 0) return -1;
    if (spec->mode == SANDBOX_OFF) return 0;
    int caps = drop_capabilities(message, size);
    if (caps < 0) return -1;
    status->caps_dropped = caps;
    int landlock = apply_landlock(spec, message, size);
    if (landlock < 0) return -1;
    status->landlock_abi = landlock;
    if (landlock == 0) {
        size_t n = strlen(status->missing);
        snprintf(status->missing + n, sizeof status->missing - n, "%sLandlock (not in this kernel)", n ? ", " : "");
    }
    int filter = apply_seccomp(spec, message, size);
    if (filter < 0) return -1;
    status->seccomp = filter;
    if (spec->mode == SANDBOX_STRICT && status->missing[0]) {
        snprintf(message, size, "the strict sandbox needs every layer, and this machine lacks: %s", status->missing);
        return -1;
    }
    return 0;
}

/* Whether any process other than init (1) and the caller is left in the PID namespace (zombies included). */
static int others_left(void) {
    return !(kill(-1, 0) != 0 && errno == ESRCH);
}

void sandbox_end_leftovers(const sandbox_status *status) {
    if (status->pid_ns) {
        /* PID 2 of our own namespace: kill(-1) reaches every process in it but init and ourselves, whatever
         * sessions or groups they made. Orphans are init's to reap; our own children we reap here. */
        for (int round = 0; round < 1000; round++) {
            kill(-1, SIGKILL);
            while (waitpid(-1, NULL, WNOHANG) > 0) {}
            if (!others_left()) return;
            usleep(1000);
        }
        return;
    }
    /* Without a PID namespace: the worker is a child subreaper, so what the tool started and orphaned is ours;
     * kill what /proc lists as our children, round after round, never blocking on them. */
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
    for (int round = 0; round < 1000; round++) {
        FILE *f = fopen(path, "re");
        int any = 0;
        if (f) {
            long pid;
            while (fscanf(f, "%ld", &pid) == 1) {
                kill((pid_t)pid, SIGKILL);
                any = 1;
            }
            fclose(f);
        }
        while (waitpid(-1, NULL, WNOHANG) > 0) any = 1;
        if (!any) return;
        usleep(1000);
    }
}

void sandbox_status_json(jw *w, const sandbox_spec *spec, const sandbox_status *status) {
    jw_key(w, "sandbox", 0);
    jw_str(w, spec->mode == SANDBOX_OFF ? "off" : status->missing[0] ? "partial" : "enforced");
    jw_key(w, "landlock", 0); jw_int(w, status->landlock_abi);
    jw_key(w, "layers", 0);
    jw_lit(w, "{");
    jw_key(w, "user_namespace", 1); jw_lit(w, status->user_ns ? "true" : "false");
    jw_key(w, "pid_namespace", 0); jw_lit(w, status->pid_ns ? "true" : "false");
    jw_key(w, "mount_namespace", 0); jw_lit(w, status->mount_ns ? "true" : "false");
    jw_key(w, "ipc_namespace", 0); jw_lit(w, status->ipc_ns ? "true" : "false");
    jw_key(w, "network_namespace", 0); jw_lit(w, status->net_ns ? "true" : spec->network ? "null" : "false");
    jw_key(w, "capabilities_dropped", 0); jw_lit(w, status->caps_dropped ? "true" : "false");
    jw_key(w, "landlock_abi", 0); jw_int(w, status->landlock_abi);
    jw_key(w, "seccomp", 0); jw_lit(w, status->seccomp ? "true" : "false");
    jw_lit(w, "}");
    jw_key(w, "missing", 0); jw_str(w, status->missing);
}
