// A C++ plugin whose author defined the entry function by hand, without extern "C": the symbol is mangled
// (_Z24wfhost_plugin_descriptorv) and wfhost cannot find 'wfhost_plugin_descriptor'.
#include <wfhost/plugin.h>

static wfh_status echo(const wfh_host *host, wfh_call *call, const wfh_request *request) {
    return host->set_result(call, request->args_json, request->args_len) == 0 ? WFH_OK : WFH_FAILED;
}

static const wfh_tool tools[] = {
    WFH_TOOL("echo", "Echo", "Returns its arguments.", "{\"type\":\"object\"}", NULL, 0, echo),
};

static const wfh_plugin descriptor = {sizeof(wfh_plugin), WFH_ABI_MAJOR, WFH_ABI_MINOR, "mangled", "1.0.0",
                                      "A C++ plugin.", "MIT", "wfhost tests", NULL, 1, sizeof(wfh_tool), tools};

__attribute__((visibility("default"))) const wfh_plugin *wfhost_plugin_descriptor(void);
__attribute__((visibility("default"))) const wfh_plugin *wfhost_plugin_descriptor(void) { return &descriptor; }
