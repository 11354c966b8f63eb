/*
 * Descriptors written by hand, as plugins built against other SDK versions would produce them:
 *   ABI_MAJOR=2          a future major: must be rejected, naming both versions
 *   FUTURE_MINOR         a newer 1.x: wfh_plugin and wfh_tool have grown fields at the end; must load
 *   NO_ENTRY             no entry symbol at all
 */
#include <wfhost/plugin.h>

static wfh_status tool(const wfh_host *host, wfh_call *call, const wfh_request *request) {
    (void)request;
    return wfh_result(host, call, "{}") == 0 ? WFH_OK : WFH_FAILED;
}

#ifndef NO_ENTRY
#ifdef FUTURE_MINOR
/* What SDK 1.7 might look like: every struct grew at the end. */
typedef struct { wfh_tool v1; const char *added_in_1_7; uint64_t more; } tool_1_7;
typedef struct { wfh_plugin v1; const char *added_in_1_7; } plugin_1_7;
static const tool_1_7 tools[] = {
    {{sizeof(tool_1_7), 0, "grown", "Grown", "A tool from a newer SDK.", "{\"type\":\"object\"}", NULL, tool, NULL,
      NULL, NULL}, "extra", 42},
    {{sizeof(tool_1_7), 0, "second", "Second", "Read with the plugin's stride, not ours.", "{\"type\":\"object\"}",
      NULL, tool, NULL, NULL, NULL}, "extra", 43},
};
static const plugin_1_7 descriptor = {
    {sizeof(plugin_1_7), 1, 7, "future", "1.7.0", "Built against SDK 1.7.", "MIT", "tests", NULL, 2,
     sizeof(tool_1_7), &tools[0].v1},
    "extra"};
#else
static const wfh_tool tools[] = {
    WFH_TOOL("t", "T", "A tool.", "{\"type\":\"object\"}", NULL, 0, tool),
};
static const wfh_plugin descriptor_v1 = {sizeof(wfh_plugin), ABI_MAJOR, 0, "otherabi", "2.0.0", "Another ABI.", "MIT",
                                         "tests", NULL, 1, sizeof(wfh_tool), tools};
#define descriptor (*(const struct { wfh_plugin v1; } *)(const void *)&descriptor_v1)
#endif

WFH_EXPORT const wfh_plugin *wfhost_plugin_descriptor(void);
WFH_EXPORT const wfh_plugin *wfhost_plugin_descriptor(void) { return &descriptor.v1; }
#else
int not_a_plugin(void);
int not_a_plugin(void) { return 1; }
#endif
