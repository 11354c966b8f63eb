/*
 * The typed-range fixture "wide": identity functions of every integer and float type, so a test can send the
 * extremes of each C type through the host, the worker and libffi and read them back digit for digit.
 */
#include <wfhost/plugin.h>
#include <stdint.h>

static int64_t id_i64(int64_t n) { return n; }
static uint64_t id_u64(uint64_t n) { return n; }
static int32_t id_i32(int32_t n) { return n; }
static uint32_t id_u32(uint32_t n) { return n; }
static float id_f32(float x) { return x; }
static int64_t neg_u64(uint64_t n) { return -(int64_t)(n & 0x7fffffffffffffffu); }
static uint64_t u64_max(void) { return UINT64_MAX; }
static int64_t i64_min(void) { return INT64_MIN; }

#define INT_ARG "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},\"required\":[\"n\"]}"
#define NUM_ARG "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"number\"}},\"required\":[\"x\"]}"
#define NO_ARG "{\"type\":\"object\",\"additionalProperties\":false}"

static const wfh_tool tools[] = {
    WFH_TYPED_TOOL("id_i64", "i64", "Returns its int64_t argument.", INT_ARG, 0, "i64 (i64 n)", id_i64),
    WFH_TYPED_TOOL("id_u64", "u64", "Returns its uint64_t argument.", INT_ARG, 0, "u64 (u64 n)", id_u64),
    WFH_TYPED_TOOL("id_i32", "i32", "Returns its int32_t argument.", INT_ARG, 0, "i32 (i32 n)", id_i32),
    WFH_TYPED_TOOL("id_u32", "u32", "Returns its uint32_t argument.", INT_ARG, 0, "u32 (u32 n)", id_u32),
    WFH_TYPED_TOOL("id_f32", "f32", "Returns its float argument.", NUM_ARG, 0, "f32 (f32 x)", id_f32),
    WFH_TYPED_TOOL("neg_u64", "neg", "Negates the low 63 bits of its argument.", INT_ARG, 0, "i64 (u64 n)", neg_u64),
    WFH_TYPED_TOOL("u64_max", "max", "Returns UINT64_MAX.", NO_ARG, 0, "u64 ()", u64_max),
    WFH_TYPED_TOOL("i64_min", "min", "Returns INT64_MIN.", NO_ARG, 0, "i64 ()", i64_min),
};

WFH_PLUGIN_DEFINE("wide", "1.0.0", "Typed range fixtures.", "Apache-2.0", "The wfhost authors", NULL, tools)
