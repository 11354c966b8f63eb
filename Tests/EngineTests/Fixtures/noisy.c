/*
 * The `noisy` test plugin: tools that print on stdout and stderr and log before they end, so that the tests can
 * check where a stage's output shows up (console, JUnit, status --json, wfhost logs, the step summary).
 *   compile  prints a compiler's progress on stdout, its error on stderr (with <, &, | and quotes), logs two
 *            lines, then fails with "compilation failed (see output)"; `lines` (default 3) more stdout lines.
 *   settle   fails its first attempt (printing "attempt 1 is flaky" on stderr) and succeeds from the second.
 */
#include <wfhost/plugin.h>
#include <stdio.h>
#include <string.h>

static void print_out(const char *text) { fputs(text, stdout); fflush(stdout); }
static void print_err(const char *text) { fputs(text, stderr); fflush(stderr); }

static long number_arg(const wfh_request *req, const char *key, long fallback) {
    const char *at = strstr(req->args_json, key);
    if (!at) return fallback;
    at = strchr(at, ':');
    long value = fallback;
    if (at && sscanf(at + 1, "%ld", &value) != 1) value = fallback;
    return value;
}

static wfh_status tool_compile(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    wfh_log(host, call, WFH_LOG_INFO, "compiling main.c");
    print_out("cc -c main.c\n");
    long lines = number_arg(req, "\"lines\"", 3);
    for (long i = 1; i <= lines; i++) {
        char line[64];
        snprintf(line, sizeof line, "progress line %ld\n", i);
        print_out(line);
    }
    print_err("main.c:3:5: error: expected ';' before '<' & \"x\" | y\n");
    wfh_log(host, call, WFH_LOG_WARNING, "1 error generated");
    return wfh_fail(host, call, "compile_error", "compilation failed (see output)", 0);
}

static wfh_status tool_settle(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    if (req->attempt < 2) {
        print_err("attempt 1 is flaky\n");
        return wfh_fail(host, call, "flaky", "not settled yet", 1);
    }
    print_out("settled\n");
    return wfh_result(host, call, "{\"settled\":true}") == 0 ? WFH_OK : WFH_FAILED;
}

static const wfh_tool tools[] = {
    WFH_TOOL("compile", "Compile noisily", "Prints, logs and fails like a compiler.",
             "{\"type\":\"object\",\"properties\":{\"lines\":{\"type\":\"integer\"},\"token\":{\"type\":\"string\"},"
             "\"file\":{\"type\":\"string\"}}}", NULL, WFH_TOOL_IDEMPOTENT, tool_compile),
    WFH_TOOL("settle", "Fail once", "Fails its first attempt, succeeds after.", "{\"type\":\"object\"}", NULL,
             WFH_TOOL_IDEMPOTENT, tool_settle),
};

WFH_PLUGIN_DEFINE("noisy", "1.0.0", "Tools that print, log and fail, for the report tests.", "MIT", "wfhost tests",
                  NULL, tools)
