/*
 * The isolation tests' plugin "fx": typed C functions of several signatures (called through libffi), file
 * writers with and without declared write paths (for the Landlock sandbox), and a tool that waits for
 * cancellation. Compiled by the tests with cc; DECLARED_DIR is the directory `write_declared` declares.
 */
#define _GNU_SOURCE
#include "wfhost/plugin.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef DECLARED_DIR
#define DECLARED_DIR "/nonexistent-declared-dir"
#endif

/* ---- typed tools ---- */

static int64_t sum_i64(int64_t a, int64_t b) { return a + b; }
static int is_length(const char *text, int32_t n) { return (int32_t)strlen(text) == n; }
static const char *shout(const char *text, int loud) {
    static char buffer[256];
    size_t i = 0;
    for (; text[i] && i < sizeof buffer - 2; i++) buffer[i] = loud ? (char)toupper((unsigned char)text[i]) : text[i];
    buffer[i++] = loud ? '!' : '.';
    buffer[i] = '\0';
    return buffer;
}
static uint64_t twice_u32(uint32_t x) { return (uint64_t)x * 2; }
static int calls;
static void bump(void) { calls++; }

/* ---- file writers ---- */

/* Writes {"path": P} with "hello"; reports EACCES/EPERM as permission_denied, as the core plugin does. */
static wfh_status write_path(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    const char *key = strstr(req->args_json, "\"path\":\"");
    char path[1024];
    if (!key) return wfh_fail(host, call, "invalid_args", "path missing", 0);
    key += 8;
    size_t n = 0;
    while (key[n] && key[n] != '"' && n < sizeof path - 1) { path[n] = key[n]; n++; }
    path[n] = '\0';
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        char message[1200];
        int e = errno;
        snprintf(message, sizeof message, "cannot open '%s': %s", path, strerror(e));
        return wfh_fail(host, call, e == EACCES || e == EPERM ? "permission_denied" : "io_error", message, 0);
    }
    ssize_t w = write(fd, "hello", 5);
    close(fd);
    if (w != 5) return wfh_fail(host, call, "io_error", "short write", 0);
    return wfh_result(host, call, "{\"written\":true}") == 0 ? WFH_OK : WFH_FAILED;
}

/* ---- network ---- */

/* Opens (and closes) a UDP socket: without the network capability the sandbox refuses it. */
static wfh_status udp_socket(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    (void)req;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        char message[256];
        int err = errno;
        snprintf(message, sizeof message, "cannot create a UDP socket: %s", strerror(err));
        return wfh_fail(host, call, err == EACCES || err == EPERM ? "permission_denied" : "io_error", message, 0);
    }
    close(fd);
    return wfh_result(host, call, "{\"socket\":true}") == 0 ? WFH_OK : WFH_FAILED;
}

/* ---- state between calls ---- */

/* Counts its calls in a static variable: 1, 2, 3 in one pooled worker; always 1 in a fork server's children. */
static int counted;
static wfh_status count_calls(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    (void)req;
    char json[64];
    snprintf(json, sizeof json, "{\"count\":%d}", ++counted);
    return wfh_result(host, call, json) == 0 ? WFH_OK : WFH_FAILED;
}

/* ---- cancellation ---- */

/* Logs "waiting", then polls is_cancelled every millisecond (up to 60 s) and fails with how it ended. */
static wfh_status wait_cancel(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    (void)req;
    wfh_log(host, call, WFH_LOG_INFO, "waiting");
    struct timespec step = {0, 1000000};
    for (int i = 0; i < 60000; i++) {
        if (host->is_cancelled(call)) return wfh_fail(host, call, "cancelled", "saw is_cancelled", 0);
        nanosleep(&step, NULL);
    }
    return wfh_fail(host, call, "not_cancelled", "never cancelled", 0);
}

#define ANY_OBJECT "{\"type\":\"object\"}"
/* Typed tools name their parameters as required properties of any type, so that wrong types reach the worker's
 * own signature check (the tests of its messages). */
#define ANY_OF(props, req) "{\"type\":\"object\",\"properties\":{" props "},\"required\":[" req "]}"
#define PATH_ARG "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}},\"required\":[\"path\"]}"

static const char *const declared[] = {DECLARED_DIR, NULL};
static const wfh_capabilities declared_caps = {sizeof(wfh_capabilities), 0, NULL, declared};

static const wfh_tool tools[] = {
    WFH_TYPED_TOOL("sum_i64", "Sum", "Adds two 64-bit integers.",
                   ANY_OF("\"a\":{},\"b\":{}", "\"a\",\"b\""), 0, "i64 (i64 a, i64 b)", sum_i64),
    WFH_TYPED_TOOL("is_length", "Length check", "Whether text has n bytes.",
                   ANY_OF("\"text\":{},\"n\":{}", "\"text\",\"n\""), 0,
                   "bool (str text, i32 n)", is_length),
    WFH_TYPED_TOOL("shout", "Shout", "Upper-cases text when loud.",
                   ANY_OF("\"text\":{},\"loud\":{}", "\"text\",\"loud\""), 0, "str (str text, bool loud)", shout),
    WFH_TYPED_TOOL("twice_u32", "Twice", "Doubles an unsigned 32-bit integer.",
                   ANY_OF("\"x\":{}", "\"x\""), 0, "u64 (u32 x)",
                   twice_u32),
    WFH_TYPED_TOOL("bump", "Bump", "Takes nothing, returns nothing.", ANY_OBJECT, 0, "void (void)", bump),
    WFH_TOOL("write", "Write", "Writes a file with the default capabilities.", PATH_ARG, NULL, 0, write_path),
    {sizeof(wfh_tool), 0, "write_declared", "Write declared", "Writes a file; declares one write path.", PATH_ARG,
     NULL, write_path, NULL, NULL, &declared_caps},
    WFH_TOOL("udp", "UDP socket", "Opens a UDP socket (declares no network).", ANY_OBJECT, NULL, 0, udp_socket),
    WFH_TOOL("wait_cancel", "Wait for cancellation", "Polls is_cancelled until it is true.", ANY_OBJECT, NULL, 0,
             wait_cancel),
    WFH_TOOL("count", "Count calls", "Counts its calls in a static variable.", ANY_OBJECT, NULL, 0, count_calls),
};

WFH_PLUGIN_DEFINE("fx", "1.0.0", "Isolation test fixtures.", "Apache-2.0", "The wfhost authors", NULL, tools)
