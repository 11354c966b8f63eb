/*
 * wfhost-worker: the child process that loads plugin code so that the host never does (ARCHITECTURE.md rule 1).
 *
 *   wfhost-worker scan DISPLAY_PATH [options]   confine itself, report the descriptor of the plugin open on fd 5,
 *                                               as JSON on fd 4
 *   wfhost-worker serve DISPLAY_PATH [options]  confine itself, load the plugin on fd 5, serve calls (frames.h)
 *   wfhost-worker probe [--sandbox on|strict]   confine itself and report the sandbox's layers as JSON on fd 4
 *       --mem-mb N --cpu-s N --nofile N --max-result BYTES --work-dir DIR --sandbox off|on|strict --network 0|1
 *       --read PATH, --write PATH, --hide PATH (each repeatable, at most WFH_SANDBOX_MAX_PATHS)
 *       --fork-calls 1 (a fork server: each call in a fresh fork of the confined, loaded worker)
 *   wfhost-worker exec [options] -- COMMAND [ARGS...]
 *                                               confine itself as serve does (the same options but
 *                                               --max-result and --fork-calls), then execve COMMAND: an MCP
 *                                               tool server, whose stdin and stdout are its JSON-RPC pipe (exec.c)
 *
 * It is written in C so that it starts in about a millisecond and carries no language runtime that could
 * collide with a plugin's own (a Swift plugin brings its Swift runtime).
 */
#define _GNU_SOURCE
#include "sandbox.h"
#include "worker.h"
#include "wfhost/plugin.h"
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* The host died: end the worker's whole process group (the worker and what its tool started), not only the
 * worker. kill(2) is async-signal-safe. */
static void on_host_death(int sig) {
    (void)sig;
    kill(0, SIGKILL);
    _exit(75);
}

/* Dies with the host: the parent-death signal (armed by a real-time signal whose handler ends the group; the
 * tool's own handlers rarely touch real-time signals), and if the parent is gone already (it died between fork
 * and here), exit at once. */
static void tie_to_parent(void) {
    const char *expected = getenv("WFHOST_PARENT_PID");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_host_death;
    int sig = SIGRTMIN + 2;
    if (sigaction(sig, &sa, NULL) != 0) sig = SIGKILL;
    prctl(PR_SET_PDEATHSIG, sig);
    if (expected && (pid_t)atol(expected) != getppid()) on_host_death(0);
}

static int usage(void) {
    fprintf(stderr, "usage: wfhost-worker scan DISPLAY_PATH [options] | serve DISPLAY_PATH [options] | probe\n"
                    "       | exec [options] -- COMMAND [ARGS...]\n"
                    "This program is started by wfhost; it is not meant to be run by hand.\n");
    return 64;
}

/* The sandbox options from argv[start] on, in pairs, until the end or "--"; returns the index where they
 * stopped, or -1 for an unknown option. `max_result` and `fork_calls` are NULL where they are not options. */
static int parse_options(int argc, char **argv, int start, sandbox_spec *spec, size_t *max_result, int *fork_calls) {
    int i = start;
    for (; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
        if (i + 1 >= argc) return -1;
        const char *opt = argv[i], *val = argv[i + 1];
        if (strcmp(opt, "--mem-mb") == 0) spec->mem_mb = atol(val);
        else if (strcmp(opt, "--cpu-s") == 0) spec->cpu_seconds = atol(val);
        else if (strcmp(opt, "--nofile") == 0) spec->max_files = atol(val);
        else if (strcmp(opt, "--max-result") == 0 && max_result) *max_result = (size_t)atoll(val);
        else if (strcmp(opt, "--work-dir") == 0) spec->work_dir = val;
        else if (strcmp(opt, "--sandbox") == 0)
            spec->mode = strcmp(val, "strict") == 0 ? SANDBOX_STRICT : strcmp(val, "off") == 0 ? SANDBOX_OFF : SANDBOX_ON;
        else if (strcmp(opt, "--network") == 0) spec->network = atoi(val);
        else if (strcmp(opt, "--fork-calls") == 0 && fork_calls) *fork_calls = atoi(val);
        else if (strcmp(opt, "--read") == 0 && spec->read_count < WFH_SANDBOX_MAX_PATHS) spec->read_paths[spec->read_count++] = val;
        else if (strcmp(opt, "--write") == 0 && spec->write_count < WFH_SANDBOX_MAX_PATHS) spec->write_paths[spec->write_count++] = val;
        else if (strcmp(opt, "--hide") == 0 && spec->hide_count < WFH_SANDBOX_MAX_PATHS) spec->hide_paths[spec->hide_count++] = val;
        else return -1;
    }
    return i;
}

int main(int argc, char **argv) {
    tie_to_parent();
    if (argc >= 2 && strcmp(argv[1], "--abi") == 0) {
        printf("%d.%d\n", WFH_ABI_MAJOR, WFH_ABI_MINOR);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "probe") == 0) {
        /* `wfhost-worker probe [--sandbox on|strict] [--network 0|1]`: enter the sandbox as a call would and
         * report which layers are in force (for `wfhost doctor`), as JSON on fd 4. */
        sandbox_spec spec;
        memset(&spec, 0, sizeof spec);
        spec.mode = SANDBOX_ON;
        for (int i = 2; i + 1 < argc; i += 2) {
            if (strcmp(argv[i], "--sandbox") == 0) spec.mode = strcmp(argv[i + 1], "strict") == 0 ? SANDBOX_STRICT : SANDBOX_ON;
            else if (strcmp(argv[i], "--network") == 0) spec.network = atoi(argv[i + 1]);
            else return usage();
        }
        return run_probe(&spec);
    }
    if (argc >= 2 && strcmp(argv[1], "exec") == 0) {
        sandbox_spec spec;
        memset(&spec, 0, sizeof spec);
        spec.mode = SANDBOX_ON;
        int end = parse_options(argc, argv, 2, &spec, NULL, NULL);
        if (end < 0 || end + 1 >= argc || strcmp(argv[end], "--") != 0) return usage();
        return run_exec(&spec, argv + end + 1);
    }
    if (argc < 3 || (strcmp(argv[1], "scan") != 0 && strcmp(argv[1], "serve") != 0)) return usage();
    /* The protocol's fds never reach a program the tool runs. */
    for (int fd = WFH_FD_REQUESTS; fd <= WFH_FD_PLUGIN; fd++) {
        int flags = fcntl(fd, F_GETFD);
        if (flags >= 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
    int scan = strcmp(argv[1], "scan") == 0;
    sandbox_spec spec;
    memset(&spec, 0, sizeof spec);
    /* The real path, resolved before the sandbox changes the file-system view (symlinks such as SwiftPM's
     * .build/debug are not part of it); the file is loaded by this path. */
    static char real[PATH_MAX];
    spec.plugin_path = realpath(argv[2], real) ? real : argv[2];
    spec.mode = SANDBOX_ON;
    size_t max_result = 16u << 20;
    int fork_calls = 0;
    if (parse_options(argc, argv, 3, &spec, &max_result, &fork_calls) != argc) return usage();
    if (scan) return run_scan(argv[2], &spec);
    return run_serve(argv[2], &spec, max_result, fork_calls);
}
