#define _GNU_SOURCE
#include "sandbox.h"
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
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
    if (spec->read_count == 0) {
        rc |= add_path(ruleset, "/", read, handled);
    } else {
        /* What any program needs to run, plus the plugin itself and the declared paths. */
        static const char *const system_paths[] = {"/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc", "/proc",
                                                   "/sys", "/dev", "/opt", NULL};
        for (int i = 0; system_paths[i]; i++) rc |= add_path(ruleset, system_paths[i], read, handled);
        if (spec->plugin_path) rc |= add_path(ruleset, spec->plugin_path, read, handled);
        for (size_t i = 0; i < spec->read_count; i++) rc |= add_path(ruleset, spec->read_paths[i], read, handled);
    }
    if (spec->work_dir) rc |= add_path(ruleset, spec->work_dir, write, handled);
    rc |= add_path(ruleset, "/dev/null", LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE, handled);
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

/* Without the network capability, sockets of the internet families cannot be created at all (Landlock only covers
 * TCP bind and connect): a seccomp filter makes socket(AF_INET|AF_INET6|AF_PACKET, ...) fail with EACCES. Unix
 * sockets stay, for local IPC. Returns 0, or -1 with a message. */
int apply_network_filter(char *message, size_t size) {
#if defined(__x86_64__)
#define WFH_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define WFH_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif
#ifdef WFH_AUDIT_ARCH
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, WFH_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 3, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_PACKET, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EACCES & SECCOMP_RET_DATA)),
    };
    struct sock_fprog program = {(unsigned short)(sizeof filter / sizeof filter[0]), filter};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) != 0) {
        snprintf(message, size, "cannot install the network filter: %s", strerror(errno));
        return -1;
    }
    return 0;
#else
    (void)message; (void)size;
    return 0;
#endif
}
