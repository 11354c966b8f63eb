#define _GNU_SOURCE
#include "typed_call.h"
#include "wfh_json_reader.h"
#include <ctype.h>
#include <ffi.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum ctype { T_VOID, T_BOOL, T_I32, T_I64, T_U32, T_U64, T_F32, T_F64, T_STR, T_BAD };
#define MAX_PARAMS 16

static enum ctype parse_type(const char *s, size_t n) {
    static const struct { const char *name; enum ctype t; } names[] = {
        {"void", T_VOID}, {"bool", T_BOOL}, {"i32", T_I32}, {"i64", T_I64}, {"u32", T_U32},
        {"u64", T_U64}, {"f32", T_F32}, {"f64", T_F64}, {"str", T_STR}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == n && strncmp(s, names[i].name, n) == 0) return names[i].t;
    return T_BAD;
}

static ffi_type *ffi_for(enum ctype t) {
    switch (t) {
    case T_VOID: return &ffi_type_void;
    case T_BOOL: return &ffi_type_uint8;
    case T_I32: return &ffi_type_sint32;
    case T_I64: return &ffi_type_sint64;
    case T_U32: return &ffi_type_uint32;
    case T_U64: return &ffi_type_uint64;
    case T_F32: return &ffi_type_float;
    case T_F64: return &ffi_type_double;
    case T_STR: return &ffi_type_pointer;
    default: return NULL;
    }
}

/* Reads the next word of [a-z0-9_] at *p, skipping spaces. */
static size_t word(const char **p, const char **start) {
    while (isspace((unsigned char)**p)) (*p)++;
    *start = *p;
    while (isalnum((unsigned char)**p) || **p == '_') (*p)++;
    return (size_t)(*p - *start);
}

typedef union value { uint8_t b; int32_t i32; int64_t i64; uint32_t u32; uint64_t u64; float f32; double f64;
                      const char *str; } value;

int typed_call(const char *signature, void (*fn)(void), const char *args, size_t args_len, jw *out, char *message,
               size_t message_size) {
    const char *p = signature, *w;
    size_t n = word(&p, &w);
    enum ctype ret = parse_type(w, n);
    while (isspace((unsigned char)*p)) p++;
    if (ret == T_BAD || *p != '(') { snprintf(message, message_size, "bad signature \"%s\"", signature); return -1; }
    p++;
    enum ctype types[MAX_PARAMS];
    char names[MAX_PARAMS][64];
    int count = 0;
    for (;;) {
        n = word(&p, &w);
        if (n == 0) break;
        if (n == 4 && strncmp(w, "void", 4) == 0 && count == 0) { word(&p, &w); break; }
        if (count == MAX_PARAMS) { snprintf(message, message_size, "too many parameters"); return -1; }
        types[count] = parse_type(w, n);
        size_t m = word(&p, &w);
        if (types[count] == T_BAD || types[count] == T_VOID || m == 0 || m >= sizeof names[0]) {
            snprintf(message, message_size, "bad parameter %d in signature \"%s\"", count + 1, signature);
            return -1;
        }
        memcpy(names[count], w, m);
        names[count][m] = '\0';
        count++;
        while (isspace((unsigned char)*p)) p++;
        if (*p == ',') { p++; continue; }
        break;
    }
    char perr[256];
    jr_value *obj = jr_parse(args, args_len, perr, sizeof perr);
    if (!obj || obj->type != JR_OBJECT) {
        snprintf(message, message_size, "arguments are not a JSON object: %s", obj ? "another JSON type" : perr);
        jr_free(obj);
        return -1;
    }
    value values[MAX_PARAMS];
    void *slots[MAX_PARAMS];
    ffi_type *ftypes[MAX_PARAMS];
    for (int i = 0; i < count; i++) {
        const jr_value *v = jr_get(obj, names[i]);
        ftypes[i] = ffi_for(types[i]);
        slots[i] = &values[i];
        if (!v) { snprintf(message, message_size, "missing argument '%s'", names[i]); jr_free(obj); return -1; }
        int ok = 1;
        double d = v->number;
        switch (types[i]) {
        case T_BOOL: ok = v->type == JR_BOOL; values[i].b = (uint8_t)v->boolean; break;
        case T_I32: ok = v->type == JR_NUMBER && d == floor(d) && d >= INT32_MIN && d <= INT32_MAX; values[i].i32 = (int32_t)d; break;
        case T_I64: ok = v->type == JR_NUMBER && d == floor(d) && d >= -9007199254740992.0 && d <= 9007199254740992.0; values[i].i64 = (int64_t)d; break;
        case T_U32: ok = v->type == JR_NUMBER && d == floor(d) && d >= 0 && d <= UINT32_MAX; values[i].u32 = (uint32_t)d; break;
        case T_U64: ok = v->type == JR_NUMBER && d == floor(d) && d >= 0 && d <= 9007199254740992.0; values[i].u64 = (uint64_t)d; break;
        case T_F32: ok = v->type == JR_NUMBER; values[i].f32 = (float)d; break;
        case T_F64: ok = v->type == JR_NUMBER; values[i].f64 = d; break;
        case T_STR: ok = v->type == JR_STRING && strlen(v->string) == v->length; values[i].str = v->string; break;
        default: ok = 0;
        }
        if (!ok) {
            static const char *const type_names[] = {"void", "a boolean", "a 32-bit integer", "a 64-bit integer",
                "an unsigned 32-bit integer", "an unsigned 64-bit integer", "a number", "a number",
                "a string without NUL characters"};
            snprintf(message, message_size, "argument '%s' must be %s", names[i], type_names[types[i]]);
            jr_free(obj);
            return -1;
        }
    }
    ffi_cif cif;
    if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, (unsigned)count, ffi_for(ret), ftypes) != FFI_OK) {
        snprintf(message, message_size, "libffi cannot prepare the call for \"%s\"", signature);
        jr_free(obj);
        return -1;
    }
    union { ffi_arg arg; value v; } result;
    memset(&result, 0, sizeof result);
    ffi_call(&cif, fn, &result, slots);
    jw_lit(out, "{");
    jw_key(out, "result", 1);
    char num[64];
    switch (ret) {
    case T_VOID: jw_lit(out, "null"); break;
    case T_BOOL: jw_lit(out, (uint8_t)result.arg ? "true" : "false"); break;
    case T_I32: jw_int(out, (int32_t)result.arg); break;
    case T_I64: jw_int(out, result.v.i64); break;
    case T_U32: jw_int(out, (uint32_t)result.arg); break;
    case T_U64: snprintf(num, sizeof num, "%llu", (unsigned long long)result.v.u64); jw_lit(out, num); break;
    case T_F32:
    case T_F64: {
        double d = ret == T_F32 ? result.v.f32 : result.v.f64;
        if (isfinite(d)) { snprintf(num, sizeof num, "%.17g", d); jw_lit(out, num); } else jw_lit(out, "null");
        break;
    }
    case T_STR: jw_str(out, result.v.str); break;
    default: jw_lit(out, "null");
    }
    jw_lit(out, "}");
    jr_free(obj);
    return 0;
}
