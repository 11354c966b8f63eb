/* A plugin written with <wfhost/json.h> only: no parser of its own (SDK/README.md, "Reading arguments and writing
 * results"). Compiled by JSONHelperTests as C99 and as C++17, with -Wall -Wextra -pedantic -Werror. */
#include <wfhost/plugin.h>
#include <wfhost/json.h>

/* Reads every kind of member and returns what it read. */
static wfh_status inspect(const wfh_host *host, wfh_call *call, const wfh_request *request) {
    char name[16];
    long name_len = wfh_arg_string(request, "name", name, sizeof name);
    wfh_jw w = WFH_JW_INIT;
    wfh_jw_begin_object(&w);
    wfh_jw_key(&w, "name");
    if (name_len < 0) wfh_jw_null(&w); else wfh_jw_string(&w, name);
    wfh_jw_key(&w, "name_length"); wfh_jw_int(&w, name_len);
    wfh_jw_key(&w, "truncated"); wfh_jw_bool(&w, name_len >= (long)sizeof name);
    wfh_jw_key(&w, "count"); wfh_jw_int(&w, wfh_arg_int(request, "count", -1));
    wfh_jw_key(&w, "ratio"); wfh_jw_number(&w, wfh_arg_number(request, "ratio", 0.5));
    wfh_jw_key(&w, "loud"); wfh_jw_bool(&w, wfh_arg_bool(request, "loud", 0));
    wfh_jw_key(&w, "tags");
    wfh_jw_begin_array(&w);
    wfh_json_iter it;
    wfh_json item;
    if (wfh_arg_array(request, "tags", &it) == 0) {
        while (wfh_json_next(&it, &item)) {
            char tag[64];
            double d;
            if (wfh_json_string(item, tag, sizeof tag) >= 0) wfh_jw_string(&w, tag);
            else if (wfh_json_number(item, &d) == 0) wfh_jw_number(&w, d * 2);
            else wfh_jw_raw(&w, "\"other\"");
        }
    }
    wfh_jw_end_array(&w);
    wfh_json nested, inner;
    wfh_jw_key(&w, "inner");
    if (wfh_arg(request, "nested", &nested) == 0 && wfh_json_member(nested, "inner", &inner) == 0)
        wfh_jw_int(&w, (int64_t)wfh_json_count(inner));
    else
        wfh_jw_null(&w);
    wfh_jw_key(&w, "missing"); wfh_jw_bool(&w, wfh_arg(request, "nope", &item) != 0);
    wfh_jw_end_object(&w);
    return wfh_jw_finish(host, call, &w);
}

/* Leaves its object open: wfh_jw_finish fails the call with result_unfinished. */
static wfh_status unfinished(const wfh_host *host, wfh_call *call, const wfh_request *request) {
    (void)request;
    wfh_jw w = WFH_JW_INIT;
    wfh_jw_begin_object(&w);
    wfh_jw_key(&w, "a");
    return wfh_jw_finish(host, call, &w);
}

static const wfh_tool tools[] = {
    WFH_TOOL("inspect", "Inspect", "Reads each kind of argument with the SDK's JSON helpers and returns it.",
             "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"count\":{\"type\":\"integer\"},"
             "\"ratio\":{\"type\":\"number\"},\"loud\":{\"type\":\"boolean\",\"default\":false},"
             "\"tags\":{\"type\":\"array\"},\"nested\":{\"type\":\"object\"}}}",
             NULL, WFH_TOOL_IDEMPOTENT, inspect),
    WFH_TOOL("unfinished", "Unfinished", "Forgets to close its result object.",
             "{\"type\":\"object\"}", NULL, 0, unfinished),
};

WFH_PLUGIN_DEFINE("jsonhelpers", "1.0.0", "Tools written with <wfhost/json.h>.", "MIT", "wfhost tests", NULL, tools)
