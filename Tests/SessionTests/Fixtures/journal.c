/*
 * The `journal` test plugin: each call appends one line, "ID attempt N", to `calls.log` in its working directory
 * (the session's work directory) when it has done its work, so that the kill tests can count how often every
 * call really ran, whatever the store says.
 *   note    idempotent: sleeps `ms`, then appends.
 *   charge  side effects, not idempotent: the same; resume must follow the stage's on_interrupt.
 *   flaky   idempotent: fails its first attempt (retryable) before it appends; succeeds from the second.
 */
#include <wfhost/plugin.h>
#include <wfhost/json.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static wfh_status journal(const wfh_host *host, wfh_call *call, const wfh_request *req, int fail_first) {
    char id[128];
    if (wfh_arg_string(req, "id", id, sizeof id) < 0) return wfh_fail(host, call, "bad_args", "`id` is required", 0);
    int64_t ms = wfh_arg_int(req, "ms", 0);
    for (int64_t slept = 0; slept < ms; slept += 5) {
        if (host->is_cancelled(call)) return wfh_fail(host, call, "cancelled", "cancelled", 0);
        struct timespec ts = {0, 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (fail_first && req->attempt < 2) return wfh_fail(host, call, "flaky", "the first attempt fails", 1);
    char line[192];
    int n = snprintf(line, sizeof line, "%s attempt %u\n", id, (unsigned)req->attempt);
    int fd = open("calls.log", O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0 || write(fd, line, (size_t)n) != n || fsync(fd) != 0) {
        if (fd >= 0) close(fd);
        return wfh_fail(host, call, "io_error", "cannot append to calls.log", 0);
    }
    close(fd);
    char result[192];
    snprintf(result, sizeof result, "{\"id\":\"%s\"}", id);
    return wfh_result(host, call, result) == 0 ? WFH_OK : WFH_FAILED;
}

static wfh_status tool_note(const wfh_host *host, wfh_call *call, const wfh_request *req) { return journal(host, call, req, 0); }
static wfh_status tool_charge(const wfh_host *host, wfh_call *call, const wfh_request *req) { return journal(host, call, req, 0); }
static wfh_status tool_flaky(const wfh_host *host, wfh_call *call, const wfh_request *req) { return journal(host, call, req, 1); }

#define JOURNAL_SCHEMA "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"ms\":{\"type\":\"integer\"}},\"required\":[\"id\"]}"

static const wfh_tool tools[] = {
    WFH_TOOL("note", "Append a line", "Sleeps ms, then appends 'ID attempt N' to calls.log.", JOURNAL_SCHEMA, NULL,
             WFH_TOOL_IDEMPOTENT, tool_note),
    WFH_TOOL("charge", "Append a line, not idempotently", "Like note, declared with side effects and not idempotent.",
             JOURNAL_SCHEMA, NULL, WFH_TOOL_SIDE_EFFECTS, tool_charge),
    WFH_TOOL("flaky", "Fail once, then append", "Fails its first attempt, then behaves like note.", JOURNAL_SCHEMA, NULL,
             WFH_TOOL_IDEMPOTENT, tool_flaky),
};

WFH_PLUGIN_DEFINE("journal", "1.0.0", "Tools that record every real execution, for the kill tests.", "MIT", "wfhost tests",
                  NULL, tools)
