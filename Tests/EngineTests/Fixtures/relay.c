/*
 * The `relay` test plugin: tools whose output schemas and input schemas share key names, so that the tests can
 * check binding from the session context within a stage and the static type check of a bound value.
 *   produce      yields {"token": "tok-LABEL", "count": "3"} (count is a string in its output schema)
 *   consume      takes a required string token and yields {"seen": TOKEN}
 *   count_items  takes a required integer count and yields {"counted": COUNT}
 */
#include <wfhost/plugin.h>
#include <stdio.h>
#include <string.h>

/* The string value of "key" in a flat JSON object as the host sends it (no escapes in the test's values). */
static int string_arg(const wfh_request *req, const char *key, char *out, size_t size) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *at = strstr(req->args_json, pattern);
    if (!at) return 0;
    at += strlen(pattern);
    const char *end = strchr(at, '"');
    if (!end || (size_t)(end - at) >= size) return 0;
    memcpy(out, at, (size_t)(end - at));
    out[end - at] = 0;
    return 1;
}

static wfh_status tool_produce(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    char label[64] = "x", result[160];
    string_arg(req, "label", label, sizeof label);
    snprintf(result, sizeof result, "{\"token\":\"tok-%s\",\"count\":\"3\"}", label);
    return wfh_result(host, call, result) == 0 ? WFH_OK : WFH_FAILED;
}

static wfh_status tool_consume(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    char token[64], result[160];
    if (!string_arg(req, "token", token, sizeof token)) return wfh_fail(host, call, "no_token", "no token given", 0);
    snprintf(result, sizeof result, "{\"seen\":\"%s\"}", token);
    return wfh_result(host, call, result) == 0 ? WFH_OK : WFH_FAILED;
}

static wfh_status tool_count_items(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    const char *at = strstr(req->args_json, "\"count\":");
    long count = 0;
    if (!at || sscanf(at + 8, "%ld", &count) != 1) return wfh_fail(host, call, "no_count", "no integer count", 0);
    char result[64];
    snprintf(result, sizeof result, "{\"counted\":%ld}", count);
    return wfh_result(host, call, result) == 0 ? WFH_OK : WFH_FAILED;
}

static const wfh_tool tools[] = {
    WFH_TOOL("produce", "Produce a token", "Yields token and count (a string).",
             "{\"type\":\"object\",\"properties\":{\"label\":{\"type\":\"string\"}}}",
             "{\"type\":\"object\",\"properties\":{\"token\":{\"type\":\"string\"},\"count\":{\"type\":\"string\"}}}",
             WFH_TOOL_IDEMPOTENT, tool_produce),
    WFH_TOOL("consume", "Consume a token", "Takes token, yields seen.",
             "{\"type\":\"object\",\"properties\":{\"token\":{\"type\":\"string\"}},\"required\":[\"token\"]}",
             "{\"type\":\"object\",\"properties\":{\"seen\":{\"type\":\"string\"}}}",
             WFH_TOOL_IDEMPOTENT, tool_consume),
    WFH_TOOL("count_items", "Count items", "Takes an integer count.",
             "{\"type\":\"object\",\"properties\":{\"count\":{\"type\":\"integer\"}},\"required\":[\"count\"]}",
             "{\"type\":\"object\",\"properties\":{\"counted\":{\"type\":\"integer\"}}}",
             WFH_TOOL_IDEMPOTENT, tool_count_items),
};

WFH_PLUGIN_DEFINE("relay", "1.0.0", "Tools sharing context keys, for the binding tests.", "MIT", "wfhost tests",
                  NULL, tools)
