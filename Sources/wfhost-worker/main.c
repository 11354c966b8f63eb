/*
 * wfhost-worker: the child process that loads plugin code so that the host never does (ARCHITECTURE.md rule 1).
 *
 *   wfhost-worker scan DISPLAY_PATH    report the descriptor of the plugin open on fd 5, as JSON on fd 4
 *
 * It is written in C so that it starts in about a millisecond and carries no language runtime that could
 * collide with a plugin's own (a Swift plugin brings its Swift runtime).
 */
#define _GNU_SOURCE
#include "worker.h"
#include "wfhost/plugin.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* Dies with the host: if the parent is gone already (it died between fork and here), exit at once. */
static void tie_to_parent(void) {
    const char *expected = getenv("WFHOST_PARENT_PID");
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (expected && (pid_t)atol(expected) != getppid()) _exit(75);
}

static int usage(void) {
    fprintf(stderr, "usage: wfhost-worker scan DISPLAY_PATH\n"
                    "This program is started by wfhost; it is not meant to be run by hand.\n");
    return 64;
}

int main(int argc, char **argv) {
    tie_to_parent();
    if (argc >= 2 && strcmp(argv[1], "--abi") == 0) {
        printf("%d.%d\n", WFH_ABI_MAJOR, WFH_ABI_MINOR);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "scan") == 0) return run_scan(argv[2]);
    return usage();
}
