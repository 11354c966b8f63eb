#include "wfh_plugin_support.h"

jr_value *plugin_parse_args(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    char error[256];
    jr_value *args = jr_parse(req->args_json, req->args_len, error, sizeof error);
    if (!args) wfh_fail(host, call, "invalid_args", error, 0);
    return args;
}

wfh_status plugin_finish(const wfh_host *host, wfh_call *call, jw *w) {
    if (w->failed) {
        jw_free(w);
        return wfh_fail(host, call, "out_of_memory", "the result could not be built: out of memory", 1);
    }
    int rc = host->set_result(call, w->data, w->len);
    jw_free(w);
    return rc == 0 ? WFH_OK : WFH_FAILED;
}

int plugin_number_arg(const wfh_host *host, wfh_call *call, const wfh_request *req, const char *key, double fallback,
                      double *value) {
    jr_value *args = plugin_parse_args(host, call, req);
    if (!args) return -1;
    *value = jr_get_number(args, key, fallback);
    jr_free(args);
    return 0;
}

wfh_status plugin_finish_int(const wfh_host *host, wfh_call *call, const char *key, long long value) {
    jw w = {0};
    jw_lit(&w, "{");
    jw_key(&w, key, 1);
    jw_int(&w, value);
    jw_lit(&w, "}");
    return plugin_finish(host, call, &w);
}
