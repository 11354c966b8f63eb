/*
 * The isolation tests' hostile plugin "evil": one tool per escape a plugin author might try (issue 11). Each tool
 * makes its attempt and reports what happened as {"rc": R, "errno": E, "data": "..."}, so that the test asserts
 * the exact refusal; attempts the sandbox answers by killing the worker (a foreign syscall ABI) simply crash.
 * Arguments arrive as {"n": number, "text": string} where a tool needs them (a port, a pid, a path).
 * Compiled by the tests with cc, warnings as errors.
 */
#define _GNU_SOURCE
#include "wfhost/plugin.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- helpers ---- */

static long arg_n(const wfh_request *req) {
    const char *p = strstr(req->args_json, "\"n\":");
    return p ? strtol(p + 4, NULL, 10) : 0;
}

static void arg_text(const wfh_request *req, char *out, size_t size) {
    out[0] = 0;
    const char *p = strstr(req->args_json, "\"text\":\"");
    if (!p) return;
    p += 8;
    size_t n = 0;
    while (p[n] && p[n] != '"' && n + 1 < size) { out[n] = p[n]; n++; }
    out[n] = 0;
}

/* {"rc":rc,"errno":e,"data":"..."} with data made JSON-safe (printable ASCII only). */
static wfh_status report(const wfh_host *host, wfh_call *call, long rc, int err, const char *data) {
    char safe[512], json[700];
    size_t o = 0;
    for (size_t i = 0; data && data[i] && o + 1 < sizeof safe; i++)
        safe[o++] = (data[i] >= 32 && data[i] < 127 && data[i] != '"' && data[i] != '\\') ? data[i] : '.';
    safe[o] = 0;
    snprintf(json, sizeof json, "{\"rc\":%ld,\"errno\":%d,\"data\":\"%s\"}", rc, err, safe);
    return wfh_result(host, call, json) == 0 ? WFH_OK : WFH_FAILED;
}

#define TRY(expr) do { errno = 0; long rc_ = (long)(expr); return report(host, call, rc_, rc_ < 0 ? errno : 0, ""); } while (0)

/* Writes a line to `path` every 20 ms for 30 s: the test watches the file to see whether a process survived. */
static void heartbeat(const char *path) {
    for (int i = 0; i < 1500; i++) {
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) { (void)!write(fd, "x\n", 2); close(fd); }
        struct timespec t = {0, 20 * 1000000L};
        nanosleep(&t, NULL);
    }
    _exit(0);
}

/* ---- network ---- */

/* UDP datagram to 127.0.0.1:n through the native socket call. */
static wfh_status udp_native(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return report(host, call, -1, errno, "socket");
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)arg_n(req))};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    long rc = sendto(fd, "leak", 4, 0, (struct sockaddr *)&to, sizeof to);
    int e = errno;
    close(fd);
    return report(host, call, rc, rc < 0 ? e : 0, "sendto");
}

/* TCP connect to 127.0.0.1:n. */
static wfh_status tcp_connect(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0) return report(host, call, -1, errno, "socket");
    struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)arg_n(req)), .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    long rc = connect(fd, (struct sockaddr *)&to, sizeof to);
    int e = errno;
    close(fd);
    return report(host, call, rc, rc < 0 ? e : 0, "connect");
}

/* socket(AF_INET, SOCK_DGRAM) through the i386 ABI (int $0x80, socket is 359 there). */
static wfh_status udp_i386(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    (void)req;
    long rc = -1;
#if defined(__x86_64__)
    __asm__ volatile("int $0x80" : "=a"(rc) : "a"(359L), "b"(2L), "c"(2L), "d"(0L) : "memory");
#endif
    return report(host, call, rc, rc < 0 ? (int)-rc : 0, "int80");
}

/* getpid through the x32 ABI (the x32 bit on an x86-64 syscall number). */
static wfh_status x32_syscall(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    (void)req;
    TRY(syscall(0x40000000L | SYS_getpid));
}

/* io_uring_setup, the way to IORING_OP_SOCKET. */
static wfh_status io_uring(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    (void)req;
    char params[120];
    memset(params, 0, sizeof params);
    TRY(syscall(SYS_io_uring_setup, 8, params));
}

static wfh_status netlink(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    (void)req;
    TRY(socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
}

static wfh_status packet_socket(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    (void)req;
    TRY(socket(17 /* AF_PACKET */, SOCK_RAW, 0));
}

/* connect to the abstract unix socket named by text (the test listens on it, outside the sandbox). */
static wfh_status abstract_unix(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    char name[100];
    arg_text(req, name, sizeof name);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return report(host, call, -1, errno, "socket");
    struct sockaddr_un to = {.sun_family = AF_UNIX};
    memcpy(to.sun_path + 1, name, strlen(name));
    long rc = connect(fd, (struct sockaddr *)&to, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name)));
    int e = errno;
    close(fd);
    return report(host, call, rc, rc < 0 ? e : 0, "connect");
}

/* connect to the unix socket at path text. */
static wfh_status path_unix(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    char path[100];
    arg_text(req, path, sizeof path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return report(host, call, -1, errno, "socket");
    struct sockaddr_un to = {.sun_family = AF_UNIX};
    snprintf(to.sun_path, sizeof to.sun_path, "%s", path);
    long rc = connect(fd, (struct sockaddr *)&to, sizeof to);
    int e = errno;
    close(fd);
    return report(host, call, rc, rc < 0 ? e : 0, "connect");
}

/* ---- files ---- */

/* Reads up to 400 bytes of the file at text: rc is the byte count, data what was read. */
static wfh_status read_path(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    char path[300], data[401];
    arg_text(req, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return report(host, call, -1, errno, "open");
    long n = read(fd, data, 400);
    int e = errno;
    close(fd);
    data[n > 0 ? n : 0] = 0;
    return report(host, call, n, n < 0 ? e : 0, data);
}

static wfh_status chmod_path(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    char path[300];
    arg_text(req, path, sizeof path);
    TRY(chmod(path, 0777));
}

static wfh_status chown_path(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    char path[300];
    arg_text(req, path, sizeof path);
    TRY(chown(path, 0, 0));
}

static wfh_status truncate_path(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    char path[300];
    arg_text(req, path, sizeof path);
    TRY(truncate(path, 0));
}

/* Renames the file at text into the work directory. */
static wfh_status rename_path(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    char path[300], to[600];
    arg_text(req, path, sizeof path);
    snprintf(to, sizeof to, "%s/stolen", req->work_dir);
    TRY(rename(path, to));
}

/* Hard-links the file at text into the work directory (to write it through the link later). */
static wfh_status hardlink_path(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    char path[300], to[600];
    arg_text(req, path, sizeof path);
    snprintf(to, sizeof to, "%s/linked", req->work_dir);
    TRY(link(path, to));
}

/* The number of processes visible in /proc (the host's are not, in a PID namespace). */
static wfh_status count_processes(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    (void)req;
    DIR *d = opendir("/proc");
    if (!d) return report(host, call, -1, errno, "opendir");
    long n = 0;
    char pids[256] = "";
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        n++;
        if (strlen(pids) + strlen(e->d_name) + 2 < sizeof pids) { strcat(pids, e->d_name); strcat(pids, " "); }
    }
    closedir(d);
    return report(host, call, n, 0, pids);
}

/* ---- processes ---- */

static wfh_status ptrace_pid(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    TRY(ptrace(PTRACE_ATTACH, (pid_t)arg_n(req), NULL, NULL));
}

static wfh_status vm_read(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    char buf[16];
    struct iovec local = {buf, sizeof buf}, remote = {(void *)0x400000, sizeof buf};
    TRY(process_vm_readv((pid_t)arg_n(req), &local, 1, &remote, 1, 0));
}

static wfh_status kill_pid(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    TRY(kill((pid_t)arg_n(req), SIGTERM));
}

static wfh_status unshare_user(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    (void)req;
    TRY(unshare(CLONE_NEWUSER | CLONE_NEWNS));
}

static wfh_status mount_tmpfs(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    TRY(mount("tmpfs", req->work_dir, "tmpfs", 0, NULL));
}

static wfh_status raise_rlimit(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    (void)req;
    struct rlimit rl;
    getrlimit(RLIMIT_AS, &rl);
    rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
    TRY(setrlimit(RLIMIT_AS, &rl));
}

/* The capability sets of the tool, from /proc/self/status. */
static wfh_status capabilities(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    (void)req;
    FILE *f = fopen("/proc/self/status", "re");
    if (!f) return report(host, call, -1, errno, "status");
    char line[256], caps[256] = "";
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "Cap", 3) == 0 && strlen(caps) + strlen(line) < sizeof caps) {
            line[strcspn(line, "\n")] = ' ';
            strcat(caps, line);
        }
    }
    fclose(f);
    return report(host, call, 0, 0, caps);
}

/* Runs a program that tries to write to the protocol's fds 3 and 4: rc is its exit status (0 = it could). */
static wfh_status inherited_fds(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    (void)req;
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", "{ printf x >&3 || printf x >&4; } 2>/dev/null && exit 0; exit 7", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return report(host, call, WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0, "");
}

/* A child (forked, not exec'd) writes a forged result frame with call id n to the events fd. */
static wfh_status forged_frame(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    uint32_t id = (uint32_t)arg_n(req);
    pid_t pid = fork();
    if (pid == 0) {
        const char *json = "{\"forged\":true}";
        uint32_t len = (uint32_t)(1 + 4 + strlen(json));
        unsigned char frame[64];
        memcpy(frame, &len, 4);
        frame[4] = 'S';
        memcpy(frame + 5, &id, 4);
        memcpy(frame + 9, json, strlen(json));
        (void)!write(4, frame, 9 + strlen(json));
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    return report(host, call, 0, 0, "honest");
}

/* Daemons: each leaves a process behind that writes a heartbeat to text (a file in the work directory). */
static wfh_status daemon_setsid(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    char path[300];
    arg_text(req, path, sizeof path);
    if (fork() == 0) { setsid(); heartbeat(path); }
    return report(host, call, 0, 0, "");
}

static wfh_status daemon_double_fork(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    char path[300];
    arg_text(req, path, sizeof path);
    pid_t first = fork();
    if (first == 0) {
        setpgid(0, 0);
        if (fork() == 0) heartbeat(path);
        _exit(0);
    }
    waitpid(first, NULL, 0);
    return report(host, call, 0, 0, "");
}

static char clone_stack[64 * 1024] __attribute__((aligned(16)));
static char clone_path[300];
static int clone_child(void *arg) { (void)arg; heartbeat(clone_path); return 0; }

static wfh_status daemon_clone_parent(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    arg_text(req, clone_path, sizeof clone_path);
    long rc = clone(clone_child, clone_stack + sizeof clone_stack, CLONE_PARENT | SIGCHLD, NULL);
    return report(host, call, rc, rc < 0 ? errno : 0, "");
}

/* A daemon, then a hang until the time limit. */
static wfh_status daemon_then_hang(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    char path[300];
    arg_text(req, path, sizeof path);
    if (fork() == 0) { setsid(); heartbeat(path); }
    signal(SIGTERM, SIG_IGN);
    for (int i = 0; i < 600; i++) sleep(1);
    return report(host, call, 0, 0, "not stopped");
}

/* A daemon, then a crash. */
static wfh_status daemon_then_crash(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    char path[300];
    arg_text(req, path, sizeof path);
    if (fork() == 0) { setsid(); heartbeat(path); }
    volatile int *p = NULL;
    *p = 1;
    (void)host; (void)call;
    return WFH_FAILED;
}

/* ---- the host's own limits and classes ---- */

/* A result over the limit, whose refusal the tool ignores (returns WFH_OK). */
static wfh_status ignore_too_large(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    size_t n = (size_t)arg_n(req);
    char *big = malloc(n + 16);
    if (!big) return WFH_FAILED;
    memset(big, ' ', n + 16);
    memcpy(big, "{\"x\":1", 6);
    big[n + 14] = '}';
    big[n + 15] = 0;
    (void)host->set_result(call, big, n + 15);
    free(big);
    return WFH_OK;
}

/* A failure labelled with a host class (text names it). */
static wfh_status claim_class(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    char code[64];
    arg_text(req, code, sizeof code);
    return wfh_fail(host, call, code, "it was not me", 1);
}

/* Terminal escapes in a log line and the error message. */
static wfh_status escapes(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    (void)req;
    wfh_log(host, call, WFH_LOG_INFO, "\x1b[2J\x1b]0;pwned\a" "cleared");
    return wfh_fail(host, call, "tool_error", "bad\x1b[31m red", 0);
}

#define ANY "{\"type\":\"object\"}"

static const wfh_tool tools[] = {
    WFH_TOOL("udp_native", NULL, "UDP to 127.0.0.1:n.", ANY, NULL, 0, udp_native),
    WFH_TOOL("tcp_connect", NULL, "TCP to [::1]:n.", ANY, NULL, 0, tcp_connect),
    WFH_TOOL("udp_i386", NULL, "socket() through int 0x80.", ANY, NULL, 0, udp_i386),
    WFH_TOOL("x32_syscall", NULL, "A syscall through the x32 ABI.", ANY, NULL, 0, x32_syscall),
    WFH_TOOL("io_uring", NULL, "io_uring_setup.", ANY, NULL, 0, io_uring),
    WFH_TOOL("netlink", NULL, "A netlink socket.", ANY, NULL, 0, netlink),
    WFH_TOOL("packet_socket", NULL, "A packet socket.", ANY, NULL, 0, packet_socket),
    WFH_TOOL("abstract_unix", NULL, "Connect to an abstract unix socket.", ANY, NULL, 0, abstract_unix),
    WFH_TOOL("path_unix", NULL, "Connect to a unix socket by path.", ANY, NULL, 0, path_unix),
    WFH_TOOL("read_path", NULL, "Read a file.", ANY, NULL, 0, read_path),
    WFH_TOOL("chmod_path", NULL, "chmod 0777.", ANY, NULL, 0, chmod_path),
    WFH_TOOL("chown_path", NULL, "chown root.", ANY, NULL, 0, chown_path),
    WFH_TOOL("truncate_path", NULL, "truncate.", ANY, NULL, 0, truncate_path),
    WFH_TOOL("rename_path", NULL, "rename into the work directory.", ANY, NULL, 0, rename_path),
    WFH_TOOL("hardlink_path", NULL, "hard link into the work directory.", ANY, NULL, 0, hardlink_path),
    WFH_TOOL("count_processes", NULL, "Processes in /proc.", ANY, NULL, 0, count_processes),
    WFH_TOOL("ptrace_pid", NULL, "PTRACE_ATTACH.", ANY, NULL, 0, ptrace_pid),
    WFH_TOOL("vm_read", NULL, "process_vm_readv.", ANY, NULL, 0, vm_read),
    WFH_TOOL("kill_pid", NULL, "kill.", ANY, NULL, 0, kill_pid),
    WFH_TOOL("unshare_user", NULL, "unshare a user namespace.", ANY, NULL, 0, unshare_user),
    WFH_TOOL("mount_tmpfs", NULL, "mount a tmpfs.", ANY, NULL, 0, mount_tmpfs),
    WFH_TOOL("raise_rlimit", NULL, "Raise RLIMIT_AS.", ANY, NULL, 0, raise_rlimit),
    WFH_TOOL("capabilities", NULL, "The capability sets.", ANY, NULL, 0, capabilities),
    WFH_TOOL("inherited_fds", NULL, "A program writes to fds 3 and 4.", ANY, NULL, 0, inherited_fds),
    WFH_TOOL("forged_frame", NULL, "A child forges a result frame.", ANY, NULL, 0, forged_frame),
    WFH_TOOL("daemon_setsid", NULL, "A setsid daemon.", ANY, NULL, 0, daemon_setsid),
    WFH_TOOL("daemon_double_fork", NULL, "A double-fork daemon.", ANY, NULL, 0, daemon_double_fork),
    WFH_TOOL("daemon_clone_parent", NULL, "A CLONE_PARENT daemon.", ANY, NULL, 0, daemon_clone_parent),
    WFH_TOOL("daemon_then_hang", NULL, "A daemon, then a hang.", ANY, NULL, 0, daemon_then_hang),
    WFH_TOOL("daemon_then_crash", NULL, "A daemon, then a crash.", ANY, NULL, 0, daemon_then_crash),
    WFH_TOOL("ignore_too_large", NULL, "Ignores set_result's refusal.", ANY, NULL, 0, ignore_too_large),
    WFH_TOOL("claim_class", NULL, "Fails with a host class as its code.", ANY, NULL, 0, claim_class),
    WFH_TOOL("escapes", NULL, "Terminal escapes in its text.", ANY, NULL, 0, escapes),
};

WFH_PLUGIN_DEFINE("evil", "1.0.0", "Hostile plugin fixtures: one escape per tool.", "Apache-2.0", "The wfhost authors",
                  NULL, tools)
