/* Tools that declare examples (ABI 1.2), for PluginTestCommandTests. Build flags pick a variant:
 *   (none)       examples that pass, and one of each way an example fails
 *   BAD_EXAMPLES examples the validator rejects (arguments against the schema, not JSON)
 *   OLD_ABI      a plugin laid out as ABI 1.1 built it: tool entries without the example fields */
#include <wfhost/plugin.h>
#include <wfhost/json.h>
#include <stddef.h>

static wfh_status greet(const wfh_host *host, wfh_call *call, const wfh_request *request) {
    char name[64];
    wfh_arg_string(request, "name", name, sizeof name);
    wfh_jw w = WFH_JW_INIT;
    wfh_jw_begin_object(&w);
    wfh_jw_key(&w, "text"); wfh_jw_string(&w, name[0] == 'Z' ? "hi" : "hello");
    wfh_jw_key(&w, "name"); wfh_jw_string(&w, name);
    wfh_jw_key(&w, "tags"); wfh_jw_begin_array(&w); wfh_jw_string(&w, "a"); wfh_jw_string(&w, "b"); wfh_jw_end_array(&w);
    wfh_jw_end_object(&w);
    if (name[0] == 'X') return wfh_fail(host, call, "no_x", "names starting with X are refused", 0);
    if (name[0] == 'Y') return wfh_result(host, call, "{\"text\":1}") == 0 ? WFH_OK : WFH_FAILED;
    return wfh_jw_finish(host, call, &w);
}

#define SCHEMA "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"]}"
#define OUTPUT "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}"

#if defined(OLD_ABI)
typedef struct tool_1_1 {
    uint32_t struct_size, flags;
    const char *name, *title, *description, *input_schema, *output_schema;
    wfh_tool_fn invoke;
    const char *c_signature;
    void (*c_function)(void);
    const wfh_capabilities *capabilities;
} tool_1_1;
static const tool_1_1 old_tools[] = {
    {sizeof(tool_1_1), 0, "greet", "Greet", "Greets.", SCHEMA, OUTPUT, greet, NULL, NULL, NULL},
};
static const wfh_plugin old_descriptor = {offsetof(wfh_plugin, tools) + sizeof(void *), WFH_ABI_MAJOR, 1, "examples",
                                          "1.0.0", "An ABI 1.1 plugin.", "MIT", "wfhost tests", NULL, 1,
                                          sizeof(tool_1_1), (const wfh_tool *)(const void *)old_tools};
WFH_EXTERN_C WFH_EXPORT const wfh_plugin *wfhost_plugin_descriptor(void);
WFH_EXTERN_C WFH_EXPORT const wfh_plugin *wfhost_plugin_descriptor(void) { return &old_descriptor; }
#else
#if defined(BAD_EXAMPLES)
static const wfh_example greet_examples[] = {
    WFH_EXAMPLE("wrong type", "{\"name\":5}", NULL),
    WFH_EXAMPLE(NULL, "{\"name\":", NULL),
    WFH_EXAMPLE("bad expectation", "{\"name\":\"Ann\"}", "{text}"),
};
#else
static const wfh_example greet_examples[] = {
    WFH_EXAMPLE("greets", "{\"name\":\"Ann\"}", "{\"text\":\"hello\",\"tags\":[\"a\",\"b\"]}"),
    WFH_EXAMPLE(NULL, "{\"name\":\"Bob\"}", NULL),
    WFH_EXAMPLE("a wrong expectation", "{\"name\":\"Zoe\"}", "{\"text\":\"hello\"}"),
    WFH_EXAMPLE("a wrong length", "{\"name\":\"Ann\"}", "{\"tags\":[\"a\"]}"),
    WFH_EXAMPLE("a missing member", "{\"name\":\"Ann\"}", "{\"count\":1}"),
    WFH_EXAMPLE("a failing call", "{\"name\":\"Xavier\"}", NULL),
    WFH_EXAMPLE("against the output schema", "{\"name\":\"Yves\"}", NULL),
};
#endif
static const wfh_tool tools[] = {
    WFH_TOOL_WITH_EXAMPLES("greet", "Greet", "Greets.", SCHEMA, OUTPUT, WFH_TOOL_IDEMPOTENT, greet, greet_examples),
};
WFH_PLUGIN_DEFINE("examples", "1.0.0", "Tools with examples.", "MIT", "wfhost tests", NULL, tools)
#endif
