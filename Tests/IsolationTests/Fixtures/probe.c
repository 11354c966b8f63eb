/*
 * The isolation tests' constructor probe "probe": its constructor runs while the plugin is scanned (`plugins list`)
 * and records what it could reach, in its own description, which the scan reports: the environment variables it
 * saw, whether it could open an internet socket, and which of a few paths it could create a file in.
 */
#define _GNU_SOURCE
#include "wfhost/plugin.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef PROBE_DIR
#define PROBE_DIR "/nonexistent"
#endif

extern char **environ;
static char found[1024] = "probe:";

__attribute__((constructor)) static void probe(void) {
    size_t n = strlen(found);
    snprintf(found + n, sizeof found - n, " env=");
    for (char **e = environ; *e; e++) {
        n = strlen(found);
        size_t len = strcspn(*e, "=");
        snprintf(found + n, sizeof found - n, "%.*s,", (int)len, *e);
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    n = strlen(found);
    snprintf(found + n, sizeof found - n, " inet=%s", fd >= 0 ? "yes" : "no");
    if (fd >= 0) close(fd);
    static const char *const dirs[] = {"/", "/tmp", "/dev/shm", ".", PROBE_DIR, NULL};
    n = strlen(found);
    snprintf(found + n, sizeof found - n, " writable=");
    for (int i = 0; dirs[i]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/wfhost-probe-%d", dirs[i], (int)getpid());
        int w = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (w >= 0) {
            close(w);
            unlink(path);
            n = strlen(found);
            snprintf(found + n, sizeof found - n, "%s,", dirs[i]);
        }
    }
}

static wfh_status nothing(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    (void)req;
    return wfh_result(host, call, "{}") == 0 ? WFH_OK : WFH_FAILED;
}

static const wfh_tool tools[] = {
    WFH_TOOL("nothing", NULL, "Does nothing.", "{\"type\":\"object\"}", NULL, 0, nothing),
};

WFH_PLUGIN_DEFINE("probe", "1.0.0", found, "Apache-2.0", "The wfhost authors", NULL, tools)
