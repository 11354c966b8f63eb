#define _GNU_SOURCE
#include "typed_call.h"
#include "wfh_json_reader.h"
#include <ctype.h>
#include <float.h>
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

/*
 * The text of the first member `name` of the JSON object `text` (already parsed once by jr_parse, so it is valid
 * JSON): *start and *n span the member's value as written. The reader's tree holds numbers as doubles, which
 * cannot carry every 64-bit integer; the integer parameters are read from this text instead. Returns 0 or -1.
 */
static const char *skip_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

static const char *skip_string(const char *p, const char *end) {
    for (p++; p < end && *p != '"'; p++)
        if (*p == '\\') p++;
    return p < end ? p + 1 : end;
}

static const char *skip_value(const char *p, const char *end) {
    if (p >= end) return end;
    if (*p == '"') return skip_string(p, end);
    if (*p == '{' || *p == '[') {
        int depth = 0;
        while (p < end) {
            if (*p == '"') { p = skip_string(p, end); continue; }
            if (*p == '{' || *p == '[') depth++;
            else if (*p == '}' || *p == ']') { if (--depth == 0) return p + 1; }
            p++;
        }
        return end;
    }
    while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
        p++;
    return p;
}

/* Compares the JSON string literal at p (quotes included, escapes decoded for \uXXXX of ASCII and the simple
 * ones) with name. */
static int key_equals(const char *p, const char *stop, const char *name) {
    const char *q = p + 1;
    size_t i = 0;
    while (q < stop && *q != '"') {
        char c = *q++;
        if (c == '\\' && q < stop) {
            char e = *q++;
            if (e == 'u') {
                unsigned v = 0;
                for (int k = 0; k < 4; k++, q++) {
                    if (q >= stop || !isxdigit((unsigned char)*q)) return 0;
                    v = v * 16 + (unsigned)(isdigit((unsigned char)*q) ? *q - '0' : (tolower((unsigned char)*q) - 'a' + 10));
                }
                if (v == 0 || v > 0x7f) return 0; /* parameter names are ASCII letters, digits and '_' */
                c = (char)v;
            } else {
                c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b' : e == 'f' ? '\f' : e;
            }
        }
        if (name[i] == '\0' || name[i] != c) return 0;
        i++;
    }
    return name[i] == '\0';
}

static int raw_member(const char *text, size_t len, const char *name, const char **start, size_t *n) {
    const char *p = text, *end = text + len;
    p = skip_ws(p, end);
    if (p >= end || *p != '{') return -1;
    p = skip_ws(p + 1, end);
    while (p < end && *p == '"') {
        const char *key = p;
        p = skip_string(p, end);
        int match = key_equals(key, p, name);
        p = skip_ws(p, end);
        if (p >= end || *p != ':') return -1;
        p = skip_ws(p + 1, end);
        const char *v = p;
        p = skip_value(p, end);
        if (match) { *start = v; *n = (size_t)(p - v); return 0; }
        p = skip_ws(p, end);
        if (p < end && *p == ',') p = skip_ws(p + 1, end);
    }
    return -1;
}

enum exact { EXACT_OK, EXACT_NOT_INTEGER, EXACT_TOO_LARGE };

/*
 * The JSON number text t[0..n) as an exact integer: sign and magnitude. A fraction or exponent is allowed when
 * the value is integral ("2.0", "1e3", "12.5e1"); EXACT_NOT_INTEGER otherwise, EXACT_TOO_LARGE when the
 * magnitude exceeds UINT64_MAX. Nothing is rounded.
 */
static enum exact exact_integer(const char *t, size_t n, int *negative, uint64_t *magnitude) {
    /* The value is D x 10^scale, D the integer formed by all digits (integer part, then fraction part) and
     * scale = exponent - number of fraction digits. Leading zeros of D are dropped; trailing zeros move into the
     * scale. Only the first 24 significant digits are kept: more than 20 is beyond UINT64_MAX anyway. */
    size_t i = 0;
    *negative = 0;
    *magnitude = 0;
    if (i < n && t[i] == '-') { *negative = 1; i++; }
    char digits[24];
    size_t nd = 0, total = 0, zeros = 0; /* kept digits, significant digits so far, pending zeros */
    long scale = 0;
    int point = 0;
    for (; i < n && (isdigit((unsigned char)t[i]) || (t[i] == '.' && !point)); i++) {
        if (t[i] == '.') { point = 1; continue; }
        if (point) scale--;
        if (t[i] == '0') { if (total > 0) zeros++; continue; }
        for (; zeros > 0; zeros--, total++) if (nd < sizeof digits) digits[nd++] = '0';
        if (nd < sizeof digits) digits[nd++] = t[i];
        total++;
    }
    scale += (long)zeros; /* trailing zeros */
    if (i < n && (t[i] == 'e' || t[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < n && (t[i] == '+' || t[i] == '-')) eneg = t[i++] == '-';
        long e = 0;
        for (; i < n && isdigit((unsigned char)t[i]); i++)
            if (e < 1000000) e = e * 10 + (t[i] - '0');
        scale += eneg ? -e : e;
    }
    if (total == 0) return EXACT_OK; /* zero, however written */
    if (scale < 0) return EXACT_NOT_INTEGER;
    if ((long)total + scale > 20) return EXACT_TOO_LARGE;
    uint64_t v = 0;
    for (long k = 0; k < (long)total + scale; k++) {
        unsigned d = k < (long)total ? (unsigned)(digits[k] - '0') : 0;
        if (v > (UINT64_MAX - d) / 10) return EXACT_TOO_LARGE;
        v = v * 10 + d;
    }
    *magnitude = v;
    return EXACT_OK;
}

typedef union value { uint8_t b; int32_t i32; int64_t i64; uint32_t u32; uint64_t u64; float f32; double f64;
                      const char *str; } value;

static const char *const type_names[] = {"void", "a boolean", "a 32-bit integer", "a 64-bit integer",
    "an unsigned 32-bit integer", "an unsigned 64-bit integer", "a 32-bit float", "a number",
    "a string without NUL characters"};

static const char *json_type_name(const jr_value *v) {
    switch (v->type) {
    case JR_NULL: return "null";
    case JR_BOOL: return "a boolean";
    case JR_NUMBER: return "a number";
    case JR_STRING: return "a string";
    case JR_ARRAY: return "an array";
    default: return "an object";
    }
}

/* The argument's number as written, shortened for a message. */
static void number_text(const char *args, size_t args_len, const char *name, char *buf, size_t size) {
    const char *start;
    size_t n;
    if (raw_member(args, args_len, name, &start, &n) != 0) n = 0, start = "";
    if (n >= size) {
        snprintf(buf, size, "%.*s...", (int)(size - 4), start);
    } else {
        memcpy(buf, start, n);
        buf[n] = '\0';
    }
}

/*
 * Converts the argument v (member `name` of args) to the C type t. Integers are read exactly from the argument's
 * text, so every int64_t and uint64_t arrives as written. Returns 0, or -1 with a sentence in message.
 */
static int convert(enum ctype t, const char *name, const jr_value *v, const char *args, size_t args_len, value *out,
                   char *message, size_t message_size) {
    char text[48];
    switch (t) {
    case T_BOOL:
        if (v->type != JR_BOOL) break;
        out->b = (uint8_t)v->boolean;
        return 0;
    case T_STR:
        if (v->type != JR_STRING) break;
        if (strlen(v->string) != v->length) {
            snprintf(message, message_size, "argument '%s' must be a string without NUL characters", name);
            return -1;
        }
        out->str = v->string;
        return 0;
    case T_F32:
    case T_F64:
        if (v->type != JR_NUMBER) break;
        if (t == T_F32 && isfinite(v->number) && fabs(v->number) > FLT_MAX) {
            number_text(args, args_len, name, text, sizeof text);
            snprintf(message, message_size, "argument '%s' is %s, outside the range of a 32-bit float "
                     "(-3.4028235e+38 to 3.4028235e+38)", name, text);
            return -1;
        }
        if (t == T_F32) out->f32 = (float)v->number; else out->f64 = v->number;
        return 0;
    case T_I32:
    case T_I64:
    case T_U32:
    case T_U64: {
        if (v->type != JR_NUMBER) break;
        const char *start;
        size_t n;
        int negative = 0;
        uint64_t m = 0;
        number_text(args, args_len, name, text, sizeof text);
        enum exact e = raw_member(args, args_len, name, &start, &n) == 0 ? exact_integer(start, n, &negative, &m)
                                                                        : EXACT_NOT_INTEGER;
        if (e == EXACT_NOT_INTEGER) {
            snprintf(message, message_size, "argument '%s' must be %s, not %s", name, type_names[t], text);
            return -1;
        }
        static const char *const ranges[] = {[T_I32] = "-2147483648 to 2147483647",
            [T_I64] = "-9223372036854775808 to 9223372036854775807", [T_U32] = "0 to 4294967295",
            [T_U64] = "0 to 18446744073709551615"};
        uint64_t limit = t == T_I32 ? (negative ? (uint64_t)INT32_MAX + 1 : INT32_MAX)
                       : t == T_I64 ? (negative ? (uint64_t)INT64_MAX + 1 : INT64_MAX)
                       : t == T_U32 ? (negative ? 0 : UINT32_MAX)
                       : (negative ? 0 : UINT64_MAX);
        if (e == EXACT_TOO_LARGE || m > limit) {
            snprintf(message, message_size, "argument '%s' is %s, outside the range of %s (%s)", name, text,
                     type_names[t], ranges[t]);
            return -1;
        }
        switch (t) {
        case T_I32: out->i32 = negative ? (int32_t)(-(int64_t)m) : (int32_t)m; break;
        case T_I64: out->i64 = negative ? (m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m) : (int64_t)m; break;
        case T_U32: out->u32 = (uint32_t)m; break;
        default: out->u64 = m; break;
        }
        return 0;
    }
    default:
        break;
    }
    static const char *const json_names[] = {"null", "a boolean", "a 32-bit integer", "a 64-bit integer",
        "an unsigned 32-bit integer", "an unsigned 64-bit integer", "a number", "a number", "a string"};
    snprintf(message, message_size, "argument '%s' must be %s, not %s", name, json_names[t], json_type_name(v));
    return -1;
}

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
        if (convert(types[i], names[i], v, args, args_len, &values[i], message, message_size) != 0) {
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
