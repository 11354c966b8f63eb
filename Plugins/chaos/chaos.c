/*
 * The `chaos` plugin: tools that misbehave on purpose, for tests and for users trying wfhost's failure handling.
 * Each one fails in exactly one well-defined way.
 */
#define _GNU_SOURCE
#include "wfhost/plugin.h"
#include "wfh_plugin_support.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static wfh_status tool_segfault(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    (void)host; (void)call; (void)req;
    volatile int *volatile p = NULL;
    *p = 42; /* SIGSEGV */
    return WFH_OK;
}

static wfh_status tool_abort(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    (void)host; (void)call; (void)req;
    abort();
}

static wfh_status tool_hang(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    (void)host; (void)call; (void)req;
    /* Ignores cancellation and SIGTERM on purpose: only SIGKILL ends it. */
    signal(SIGTERM, SIG_IGN);
    for (;;) pause();
    return WFH_FAILED; /* not reached */
}

static wfh_status tool_sleep(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    double ms;
    if (plugin_number_arg(host, call, req, "ms", 0, &ms) != 0) return WFH_FAILED;
    struct timespec step = {0, 10 * 1000000};
    for (double slept = 0; slept < ms; slept += 10) {
        if (host->is_cancelled(call)) return wfh_fail(host, call, "cancelled", "sleep was cancelled", 0);
        if (ms - slept < 10) step.tv_nsec = (long)((ms - slept) * 1000000);
        nanosleep(&step, NULL);
    }
    return plugin_finish_int(host, call, "slept_ms", (long long)ms);
}

static wfh_status tool_alloc(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    double mb;
    if (plugin_number_arg(host, call, req, "mb", 0, &mb) != 0) return WFH_FAILED;
    size_t bytes = (size_t)mb << 20;
    char *p = malloc(bytes ? bytes : 1);
    if (!p) return wfh_fail(host, call, "out_of_memory", "malloc returned NULL", 0);
    /* Touch every page so the memory is really used (the optimiser cannot drop a volatile write). */
    for (size_t i = 0; i < bytes; i += 4096) ((volatile char *)p)[i] = (char)i;
    wfh_log(host, call, WFH_LOG_INFO, "allocated and touched the requested memory");
    free(p);
    return plugin_finish_int(host, call, "allocated_mb", (long long)mb);
}

static wfh_status tool_flood(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    double requested;
    if (plugin_number_arg(host, call, req, "bytes", 0, &requested) != 0) return WFH_FAILED;
    size_t bytes = (size_t)requested;
    char *data = malloc(bytes + 1);
    if (!data) return wfh_fail(host, call, "out_of_memory", "cannot allocate the flood", 0);
    memset(data, 'x', bytes);
    size_t done = 0;
    while (done < bytes) {
        ssize_t n = write(1, data + done, bytes - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += (size_t)n;
    }
    jw w = {0};
    jw_lit(&w, "{");
    jw_key(&w, "bytes", 1); jw_int(&w, (long long)bytes);
    jw_key(&w, "data", 0); jw_strn(&w, data, bytes);
    jw_lit(&w, "}");
    free(data);
    return plugin_finish(host, call, &w);
}

static wfh_status tool_exit(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    double code;
    if (plugin_number_arg(host, call, req, "code", 1, &code) != 0) return WFH_FAILED;
    _exit((int)code);
}

static wfh_status tool_fail(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    jr_value *args = plugin_parse_args(host, call, req);
    if (!args) return WFH_FAILED;
    wfh_status s = wfh_fail(host, call, jr_get_string(args, "code", "chaos_failure"),
                            jr_get_string(args, "message", "failed on purpose"), jr_get_bool(args, "retryable", 0));
    jr_free(args);
    return s;
}

/* Counts calls per key in the file at `path` (one "key count" line per key), under an exclusive lock. */
static wfh_status tool_flaky(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    jr_value *args = plugin_parse_args(host, call, req);
    if (!args) return WFH_FAILED;
    const char *key = jr_get_string(args, "key", "default");
    long failures = (long)jr_get_number(args, "failures", 1);
    const char *path = jr_get_string(args, "path", "");
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || flock(fd, LOCK_EX) != 0) {
        char message[1024];
        int err = errno;
        snprintf(message, sizeof message, "cannot open the counter file '%s': %s", path, strerror(err));
        if (fd >= 0) close(fd);
        jr_free(args);
        return wfh_fail(host, call, err == EACCES || err == EPERM ? "permission_denied" : "io_error", message, 0);
    }
    char text[65536];
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    text[n > 0 ? n : 0] = '\0';
    /* Rewrite the file with this key's count incremented. */
    char out[65536 + 512];
    size_t o = 0;
    long count = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char name[256];
        long c;
        if (sscanf(line, "%255s %ld", name, &c) == 2 && strcmp(name, key) == 0) { count = c; continue; }
        o += (size_t)snprintf(out + o, sizeof out - o, "%s\n", line);
    }
    count++;
    o += (size_t)snprintf(out + o, sizeof out - o, "%s %ld\n", key, count);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, out, o, 0) != (ssize_t)o) {
        close(fd);
        jr_free(args);
        return wfh_fail(host, call, "io_error", "cannot update the counter file", 0);
    }
    close(fd);
    char message[512];
    if (count <= failures) {
        snprintf(message, sizeof message, "flaky '%s' fails call %ld of the first %ld", key, count, failures);
        jr_free(args);
        return wfh_fail(host, call, "flaky_failure", message, 1);
    }
    jw w = {0};
    jw_lit(&w, "{");
    jw_key(&w, "key", 1); jw_str(&w, key);
    jw_key(&w, "calls", 0); jw_int(&w, count);
    jw_key(&w, "attempt", 0); jw_int(&w, req->attempt);
    jw_lit(&w, "}");
    jr_free(args);
    return plugin_finish(host, call, &w);
}

#define NO_ARGS "{\"type\":\"object\",\"additionalProperties\":false}"

/* flaky keeps its counter wherever it is told: it declares write access to the whole file system. */
static const char *const anywhere[] = {"/", NULL};
static const wfh_capabilities flaky_caps = {sizeof(wfh_capabilities), 0, NULL, anywhere};

/* Examples (ABI 1.2) for the tools that can succeed; the others fail on purpose, which an example cannot show. */
static const wfh_example sleep_examples[] = {
    WFH_EXAMPLE("sleeps 1 ms", "{\"ms\":1}", "{\"slept_ms\":1}"),
};
static const wfh_example alloc_examples[] = {
    WFH_EXAMPLE("allocates and touches 1 MiB", "{\"mb\":1}", "{\"allocated_mb\":1}"),
};
static const wfh_example flood_examples[] = {
    WFH_EXAMPLE("a small flood", "{\"bytes\":3}", "{\"bytes\":3}"),
};
static const wfh_example flaky_examples[] = {
    WFH_EXAMPLE("no failures asked for: the first call succeeds", "{\"key\":\"k\",\"failures\":0,\"path\":\"counter\"}",
                "{\"key\":\"k\",\"calls\":1}"),
};

static const wfh_tool tools[] = {
    WFH_TOOL("segfault", "Crash with SIGSEGV", "Dereferences a null pointer: the worker dies with SIGSEGV.", NO_ARGS,
             NULL, 0, tool_segfault),
    WFH_TOOL("abort", "Crash with SIGABRT", "Calls abort(): the worker dies with SIGABRT.", NO_ARGS, NULL, 0,
             tool_abort),
    WFH_TOOL("hang", "Never return", "Blocks forever, ignoring cancellation and SIGTERM; only the time limit ends it.",
             NO_ARGS, NULL, 0, tool_hang),
    WFH_TOOL_WITH_EXAMPLES("sleep", "Sleep", "Sleeps for `ms` milliseconds, checking for cancellation every 10 ms.",
             "{\"type\":\"object\",\"properties\":{\"ms\":{\"type\":\"integer\",\"minimum\":0}},"
             "\"required\":[\"ms\"],\"additionalProperties\":false}",
             NULL, WFH_TOOL_IDEMPOTENT, tool_sleep, sleep_examples),
    WFH_TOOL_WITH_EXAMPLES("alloc", "Allocate memory", "Allocates `mb` MiB and touches every page, then frees it.",
             "{\"type\":\"object\",\"properties\":{\"mb\":{\"type\":\"integer\",\"minimum\":0}},"
             "\"required\":[\"mb\"],\"additionalProperties\":false}",
             NULL, WFH_TOOL_IDEMPOTENT, tool_alloc, alloc_examples),
    WFH_TOOL_WITH_EXAMPLES("flood", "Flood output", "Writes `bytes` bytes to stdout and returns them in its result.",
             "{\"type\":\"object\",\"properties\":{\"bytes\":{\"type\":\"integer\",\"minimum\":0}},"
             "\"required\":[\"bytes\"],\"additionalProperties\":false}",
             NULL, WFH_TOOL_IDEMPOTENT, tool_flood, flood_examples),
    WFH_TOOL("exit", "Exit mid-call", "Ends the worker process with exit code `code` in the middle of the call.",
             "{\"type\":\"object\",\"properties\":{\"code\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":255,"
             "\"default\":1}},\"additionalProperties\":false}",
             NULL, 0, tool_exit),
    WFH_TOOL("fail", "Fail", "Reports a tool error with the given message, code and retryable flag.",
             "{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\",\"default\":\"failed on purpose\"},"
             "\"code\":{\"type\":\"string\",\"pattern\":\"^[a-z][a-z0-9_]*$\"},"
             "\"retryable\":{\"type\":\"boolean\",\"default\":false}},\"additionalProperties\":false}",
             NULL, WFH_TOOL_IDEMPOTENT, tool_fail),
    {sizeof(wfh_tool), WFH_TOOL_SIDE_EFFECTS, "flaky", "Fail the first N calls",
     "Fails (retryably) the first `failures` calls for `key`, counting calls in the file at `path`, then succeeds.",
     "{\"type\":\"object\",\"properties\":{\"key\":{\"type\":\"string\",\"minLength\":1},"
     "\"failures\":{\"type\":\"integer\",\"minimum\":0},\"path\":{\"type\":\"string\",\"minLength\":1}},"
     "\"required\":[\"key\",\"failures\",\"path\"],\"additionalProperties\":false}",
     NULL, tool_flaky, NULL, NULL, &flaky_caps, WFH_EXAMPLES(flaky_examples)},
};


WFH_PLUGIN_DEFINE("chaos", "1.0.0", "Tools that fail on purpose: crashes, hangs, floods, exits, leaks, flaky errors.",
                  "Apache-2.0", "The wfhost authors", "https://github.com/wfhost/wfhost", tools)
