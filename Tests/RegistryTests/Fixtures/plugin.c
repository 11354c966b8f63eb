/*
 * A test plugin whose behaviour is chosen at compile time with -D flags, so each test builds exactly the
 * misbehaviour it checks:
 *   PLUGIN_NAME="x" TOOL_A="a" TOOL_B="b"   names (defaults "fixture", "alpha", "beta")
 *   CTOR_SEGV CTOR_ABORT CTOR_HANG CTOR_EXIT CTOR_STDOUT   a constructor that crashes, hangs, exits or prints
 *   SCHEMA_NOT_JSON SCHEMA_INVALID                         a broken input schema on tool A
 *   VERSION="..."                                           the plugin version
 *   NEEDS_LIB                                               calls a function from libfixturedep.so
 *   NO_DESCRIPTION                                          empty descriptions
 */
#include <wfhost/plugin.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef PLUGIN_NAME
#define PLUGIN_NAME "fixture"
#endif
#ifndef TOOL_A
#define TOOL_A "alpha"
#endif
#ifndef TOOL_B
#define TOOL_B "beta"
#endif
#ifndef VERSION
#define VERSION "1.2.3"
#endif
#ifdef NO_DESCRIPTION
#define DESCRIPTION ""
#else
#define DESCRIPTION "A fixture tool."
#endif

#if defined(SCHEMA_NOT_JSON)
#define SCHEMA_A "{\"type\": \"object\", \"properties\": {\"x\": {\"type\": \"string\"},}}"
#elif defined(SCHEMA_INVALID)
#define SCHEMA_A "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":\"3\"}},\"required\":\"n\"}"
#else
#define SCHEMA_A "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}"
#endif

#ifdef NEEDS_LIB
int fixture_dep_value(void);
#endif

__attribute__((constructor)) static void on_load(void) {
#ifdef CTOR_SEGV
    raise(SIGSEGV);
#endif
#ifdef CTOR_ABORT
    abort();
#endif
#ifdef CTOR_HANG
    for (;;) pause();
#endif
#ifdef CTOR_EXIT
    exit(7);
#endif
#ifdef CTOR_STDOUT
    /* Junk on stdout and stderr while loading must not reach the scanner's report channel. */
    printf("{\"ok\":false,\"kind\":\"junk\"}\n");
    fflush(stdout);
    fprintf(stderr, "noise from the constructor\n");
#endif
#ifdef NEEDS_LIB
    (void)fixture_dep_value();
#endif
}

static wfh_status tool(const wfh_host *host, wfh_call *call, const wfh_request *request) {
    (void)request;
    return wfh_result(host, call, "{}") == 0 ? WFH_OK : WFH_FAILED;
}

static const wfh_tool tools[] = {
    WFH_TOOL(TOOL_A, "Tool A", DESCRIPTION, SCHEMA_A, NULL, WFH_TOOL_IDEMPOTENT, tool),
    WFH_TOOL(TOOL_B, "Tool B", DESCRIPTION, "{\"type\":\"object\"}", NULL, 0, tool),
};

WFH_PLUGIN_DEFINE(PLUGIN_NAME, VERSION, "A plugin built by the tests.", "MIT", "wfhost tests", NULL, tools)
