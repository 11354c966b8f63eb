/*
 * A plugin that bundles its dependency: linked with -Wl,-rpath,'$ORIGIN/deps' against deps/libbundleddep.so,
 * which the loader finds relative to the plugin's own directory (SDK/README.md, "Bundling dependencies").
 */
#include <wfhost/plugin.h>
#include <stdio.h>

int bundled_dep_answer(void);

static wfh_status answer(const wfh_host *host, wfh_call *call, const wfh_request *request) {
    (void)request;
    char json[64];
    snprintf(json, sizeof json, "{\"answer\":%d}", bundled_dep_answer());
    return wfh_result(host, call, json) == 0 ? WFH_OK : WFH_FAILED;
}

static const wfh_tool tools[] = {
    WFH_TOOL("answer", "Answer", "Returns the answer its bundled library computes.",
             "{\"type\":\"object\",\"additionalProperties\":false}", NULL, WFH_TOOL_IDEMPOTENT, answer),
};

WFH_PLUGIN_DEFINE("bundled", "1.0.0", "A plugin with a library bundled under $ORIGIN/deps.", "MIT", "wfhost tests",
                  NULL, tools)
