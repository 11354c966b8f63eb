/*
 * One validator finding per -D flag (default: a valid plugin "findings" with one typed tool "add"):
 *   SIG_TYPE_AND_ABSENT   "f64 (f64 a, f64 b)" with property a a string and b absent
 *   SIG_NOT_REQUIRED      b declared but not required
 *   SCHEMA_STRING         input schema {"type":"string"}
 *   SCHEMA_FALSE          input schema false
 *   TYPE_TYPO             "type": "objekt"
 *   KEYWORD_TYPO          "propertis" and "requird"
 *   TOOLS_POINTER         WFH_PLUGIN_DEFINE given a pointer to the tool table
 *   SIZE_MISMATCH         a tool entry whose struct_size is not the descriptor's tool_size
 *   CAPS="..."            read paths of the tool, e.g. CAPS="\"data/x\"" (a C list of string literals)
 *   PLUGIN_NO_DESCRIPTION the plugin's description is empty
 */
#include <wfhost/plugin.h>

static double add(double a, double b) { return a + b; }

#define GOOD "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"},\"b\":{\"type\":\"number\"}," \
             "\"path\":{\"type\":\"string\"},\"n\":{\"type\":\"integer\"}},\"required\":[\"a\",\"b\"]}"
#if defined(SIG_TYPE_AND_ABSENT)
#define SCHEMA "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\"]}"
#elif defined(SIG_NOT_REQUIRED)
#define SCHEMA "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"},\"b\":{\"type\":\"number\"}}," \
               "\"required\":[\"a\"]}"
#elif defined(SCHEMA_STRING)
#define SCHEMA "{\"type\":\"string\"}"
#elif defined(SCHEMA_FALSE)
#define SCHEMA "false"
#elif defined(TYPE_TYPO)
#define SCHEMA "{\"type\":\"objekt\",\"properties\":{\"a\":{\"type\":\"number\"},\"b\":{\"type\":\"number\"}}," \
               "\"required\":[\"a\",\"b\"]}"
#elif defined(KEYWORD_TYPO)
#define SCHEMA "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"},\"b\":{\"type\":\"number\"," \
               "\"minimun\":0}},\"required\":[\"a\",\"b\"],\"additionalProperty\":false}"
#else
#define SCHEMA GOOD
#endif

#ifdef PLUGIN_NO_DESCRIPTION
#define PLUGIN_DESCRIPTION ""
#else
#define PLUGIN_DESCRIPTION "Validator findings, one per build flag."
#endif

#ifdef CAPS
static const char *const reads[] = {CAPS, NULL};
static const wfh_capabilities caps = {sizeof(wfh_capabilities), 0, reads, NULL};
#define CAPS_PTR &caps
#else
#define CAPS_PTR NULL
#endif

#ifdef SIZE_MISMATCH
#define ENTRY_SIZE (sizeof(wfh_tool) - 8)
#else
#define ENTRY_SIZE sizeof(wfh_tool)
#endif

static const wfh_tool tools[] = {
    {(uint32_t)ENTRY_SIZE, WFH_TOOL_IDEMPOTENT, "add", "Add", "Adds a and b.", SCHEMA, NULL, NULL,
     "f64 (f64 a, f64 b)", (void (*)(void))add, CAPS_PTR},
};

#ifdef TOOLS_POINTER
static const wfh_tool *const table = tools;
WFH_PLUGIN_DEFINE("findings", "1.0.0", PLUGIN_DESCRIPTION, "MIT", "wfhost tests", NULL, table)
#else
WFH_PLUGIN_DEFINE("findings", "1.0.0", PLUGIN_DESCRIPTION, "MIT", "wfhost tests", NULL, tools)
#endif
