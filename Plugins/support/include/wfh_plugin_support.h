/*
 * Helpers shared by the C plugins shipped with wfhost (core, chaos): reading a call's arguments and finishing it with
 * a JSON result. Built into each plugin, never exported from it: the plugin's only exported symbol stays its entry
 * point.
 */
#ifndef WFH_PLUGIN_SUPPORT_H_
#define WFH_PLUGIN_SUPPORT_H_
#include "wfhost/plugin.h"
#include "wfh_json_reader.h"
#include "wfh_json_writer.h"

#define WFH_PLUGIN_SUPPORT_HIDDEN __attribute__((visibility("hidden")))

/*
 * Parses the call's arguments. On malformed JSON it fails the call with `invalid_args` (the parser's message) and
 * returns NULL; the host has validated the arguments against the schema already, so that is rare.
 * The caller frees the result with jr_free.
 */
WFH_PLUGIN_SUPPORT_HIDDEN jr_value *plugin_parse_args(const wfh_host *host, wfh_call *call, const wfh_request *req);

/*
 * Finishes a call with the JSON text in w as its result, and frees w. When w ran out of memory it fails the call
 * with `out_of_memory` (retryable) instead. Returns WFH_OK, or WFH_FAILED when the host refused the result.
 */
WFH_PLUGIN_SUPPORT_HIDDEN wfh_status plugin_finish(const wfh_host *host, wfh_call *call, jw *w);

/*
 * Reads the number argument `key` (or `fallback` when it is absent) into *value. Returns 0, or -1 after failing the
 * call like plugin_parse_args.
 */
WFH_PLUGIN_SUPPORT_HIDDEN int plugin_number_arg(const wfh_host *host, wfh_call *call, const wfh_request *req,
                                                const char *key, double fallback, double *value);

/* Finishes a call with the result {"KEY": value}. */
WFH_PLUGIN_SUPPORT_HIDDEN wfh_status plugin_finish_int(const wfh_host *host, wfh_call *call, const char *key,
                                                       long long value);

#endif
