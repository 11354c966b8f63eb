/*
 * wfhost plugin SDK — small JSON helpers for tool authors (header-only; nothing to link).
 *
 * Reading: a tool's `request->args_json` is a JSON object the host has already checked against the tool's input
 * schema and filled with its defaults, so a tool only needs to pick out members by name:
 *
 *     char name[128];
 *     if (wfh_arg_string(request, "name", name, sizeof name) < 0) ...   // absent, or not a string
 *     double n = wfh_arg_number(request, "times", 1);                   // 1 when absent
 *     int loud = wfh_arg_bool(request, "loud", 0);
 *     wfh_json_iter it; wfh_json item;
 *     if (wfh_arg_array(request, "tags", &it) == 0)
 *         while (wfh_json_next(&it, &item)) { ... wfh_json_string(item, buf, sizeof buf) ... }
 *
 * Writing: build the result with a `wfh_jw` writer (it grows with malloc) and finish the call with it:
 *
 *     wfh_jw w = WFH_JW_INIT;
 *     wfh_jw_begin_object(&w);
 *     wfh_jw_key(&w, "text"); wfh_jw_string(&w, text);
 *     wfh_jw_key(&w, "count"); wfh_jw_int(&w, 3);
 *     wfh_jw_end_object(&w);
 *     return wfh_jw_finish(host, call, &w);   // sets the result and frees the writer
 *
 * Everything here is `static inline`, C99 and C++ compatible, and depends only on the C library (<stdlib.h>,
 * <string.h>, <stdio.h>). Numbers are read and written with strtod/snprintf, which follow LC_NUMERIC: a tool that
 * calls setlocale() must keep LC_NUMERIC at "C". The reader never reads past the NUL that ends `args_json` and
 * returns "absent" for malformed input instead of failing.
 */
#ifndef WFHOST_JSON_H
#define WFHOST_JSON_H

#include "wfhost/plugin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Reading ------------------------------------------------------------------------------------------------- */

/** The type of a JSON value. */
typedef enum wfh_json_type {
    WFH_JSON_INVALID = 0, /**< No value (absent member, end of an array, malformed text). */
    WFH_JSON_NULL,
    WFH_JSON_BOOL,
    WFH_JSON_NUMBER,
    WFH_JSON_STRING,
    WFH_JSON_ARRAY,
    WFH_JSON_OBJECT
} wfh_json_type;

/** A JSON value inside a text that outlives it (for arguments: the call); `start` is its first byte. */
typedef struct wfh_json {
    const char *start; /**< First byte of the value; NULL for none. */
    size_t len;        /**< Its length in bytes. */
} wfh_json;

/** An iterator over the elements of an array (see `wfh_json_items` and `wfh_json_next`). */
typedef struct wfh_json_iter {
    const char *next; /**< Where the next element (or the closing ']') starts; NULL when done. */
} wfh_json_iter;

static inline const char *wfh_json__ws(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

/* Returns the byte after the string that starts at the '"' p points to, or NULL when it does not end. */
static inline const char *wfh_json__skip_string(const char *p) {
    for (p++; *p != '\0'; p++) {
        if (*p == '"') return p + 1;
        if (*p == '\\') {
            p++;
            if (*p == '\0') return NULL;
        }
    }
    return NULL;
}

/* Returns the byte after the value that starts at p (whitespace skipped first), or NULL when it is malformed. */
static inline const char *wfh_json__skip(const char *p) {
    int depth = 0;
    p = wfh_json__ws(p);
    do {
        p = wfh_json__ws(p);
        switch (*p) {
        case '\0': return NULL;
        case '"':
            p = wfh_json__skip_string(p);
            if (p == NULL) return NULL;
            break;
        case '{': case '[':
            if (++depth > 512) return NULL;
            p++;
            break;
        case '}': case ']':
            if (--depth < 0) return NULL;
            p++;
            break;
        case ',': case ':':
            if (depth == 0) return NULL;
            p++;
            break;
        default: {
            const char *q = p;
            while (*q != '\0' && *q != ',' && *q != ':' && *q != '}' && *q != ']' && *q != ' ' && *q != '\t' &&
                   *q != '\n' && *q != '\r' && *q != '"' && *q != '{' && *q != '[')
                q++;
            if (q == p) return NULL;
            p = q;
        }
        }
    } while (depth > 0);
    return p;
}

static inline int wfh_json__hex4(const char *p, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

/*
 * Decodes the JSON string at p (its opening '"') into buf (up to size - 1 bytes and a NUL, when size > 0).
 * Returns the decoded length in bytes (which may exceed size - 1), or -1 when p is not a well-formed string.
 */
static inline long wfh_json__decode(const char *p, char *buf, size_t size) {
    size_t n = 0;
    if (*p != '"') return -1;
    for (p++;; p++) {
        unsigned c = (unsigned char)*p;
        char enc[4];
        size_t k = 1;
        if (c == '\0') return -1;
        if (c == '"') break;
        if (c != '\\') {
            enc[0] = (char)c;
        } else {
            p++;
            switch (*p) {
            case '"': enc[0] = '"'; break;
            case '\\': enc[0] = '\\'; break;
            case '/': enc[0] = '/'; break;
            case 'b': enc[0] = '\b'; break;
            case 'f': enc[0] = '\f'; break;
            case 'n': enc[0] = '\n'; break;
            case 'r': enc[0] = '\r'; break;
            case 't': enc[0] = '\t'; break;
            case 'u': {
                unsigned cp, lo;
                if (wfh_json__hex4(p + 1, &cp) != 0) return -1;
                p += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (p[1] != '\\' || p[2] != 'u' || wfh_json__hex4(p + 3, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
                        return -1;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return -1;
                }
                if (cp < 0x80) { enc[0] = (char)cp; }
                else if (cp < 0x800) { enc[0] = (char)(0xC0 | (cp >> 6)); enc[1] = (char)(0x80 | (cp & 0x3F)); k = 2; }
                else if (cp < 0x10000) {
                    enc[0] = (char)(0xE0 | (cp >> 12)); enc[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    enc[2] = (char)(0x80 | (cp & 0x3F)); k = 3;
                } else {
                    enc[0] = (char)(0xF0 | (cp >> 18)); enc[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
                    enc[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); enc[3] = (char)(0x80 | (cp & 0x3F)); k = 4;
                }
                break;
            }
            default: return -1;
            }
        }
        for (size_t i = 0; i < k; i++, n++)
            if (size > 0 && n < size - 1) buf[n] = enc[i];
    }
    if (size > 0) buf[n < size - 1 ? n : size - 1] = '\0';
    return (long)n;
}

/** Wraps a NUL-terminated JSON text (whitespace around it allowed); `start` is NULL when it is malformed. */
static inline wfh_json wfh_json_parse(const char *text) {
    wfh_json v = {NULL, 0};
    if (text == NULL) return v;
    const char *s = wfh_json__ws(text);
    const char *e = wfh_json__skip(s);
    if (e != NULL) { v.start = s; v.len = (size_t)(e - s); }
    return v;
}

/** The type of `v` (WFH_JSON_INVALID for none). */
static inline wfh_json_type wfh_json_type_of(wfh_json v) {
    if (v.start == NULL || v.len == 0) return WFH_JSON_INVALID;
    switch (v.start[0]) {
    case '"': return WFH_JSON_STRING;
    case '{': return WFH_JSON_OBJECT;
    case '[': return WFH_JSON_ARRAY;
    case 't': case 'f': return WFH_JSON_BOOL;
    case 'n': return WFH_JSON_NULL;
    default: return (v.start[0] == '-' || (v.start[0] >= '0' && v.start[0] <= '9')) ? WFH_JSON_NUMBER
                                                                                     : WFH_JSON_INVALID;
    }
}

/**
 * The member `name` of the object `object`: returns 0 and sets *out, or -1 when `object` is not an object or has
 * no such member (*out is then empty). Names compare after unescaping, byte for byte.
 */
static inline int wfh_json_member(wfh_json object, const char *name, wfh_json *out) {
    size_t want = strlen(name);
    out->start = NULL;
    out->len = 0;
    if (wfh_json_type_of(object) != WFH_JSON_OBJECT) return -1;
    const char *p = wfh_json__ws(object.start + 1);
    if (*p == '}') return -1;
    char small[256];
    char *key = want < sizeof small ? small : (char *)malloc(want + 1);
    if (key == NULL) return -1;
    int found = -1;
    while (*p == '"') {
        long n = wfh_json__decode(p, key, want + 1);
        const char *after = wfh_json__skip_string(p);
        if (n < 0 || after == NULL) break;
        p = wfh_json__ws(after);
        if (*p != ':') break;
        const char *value = wfh_json__ws(p + 1);
        const char *end = wfh_json__skip(value);
        if (end == NULL) break;
        if ((size_t)n == want && memcmp(key, name, want) == 0) {
            out->start = value;
            out->len = (size_t)(end - value);
            found = 0;
            break;
        }
        p = wfh_json__ws(end);
        if (*p != ',') break;
        p = wfh_json__ws(p + 1);
    }
    if (key != small) free(key);
    return found;
}

/**
 * Copies the string `v` into `buf` (unescaped UTF-8, NUL-terminated; at most size - 1 bytes). Returns its full
 * length in bytes, which is size or more when it did not fit (as snprintf does), or -1 when `v` is not a string.
 */
static inline long wfh_json_string(wfh_json v, char *buf, size_t size) {
    if (wfh_json_type_of(v) != WFH_JSON_STRING) return -1;
    return wfh_json__decode(v.start, buf, size);
}

/** Reads the number `v` into *out. Returns 0, or -1 when `v` is not a number. */
static inline int wfh_json_number(wfh_json v, double *out) {
    if (wfh_json_type_of(v) != WFH_JSON_NUMBER) return -1;
    char *end = NULL;
    double d = strtod(v.start, &end);
    if (end != v.start + v.len) return -1;
    *out = d;
    return 0;
}

/**
 * Reads the integer `v` into *out, exactly over the whole int64_t range (9007199254740993 stays itself). A number
 * with a fraction or exponent is accepted when its value is a whole number within range. Returns 0, or -1.
 */
static inline int wfh_json_int64(wfh_json v, int64_t *out) {
    if (wfh_json_type_of(v) != WFH_JSON_NUMBER) return -1;
    const char *p = v.start, *end = v.start + v.len;
    int negative = *p == '-';
    if (negative) p++;
    uint64_t mag = 0;
    const char *digits = p;
    while (p < end && *p >= '0' && *p <= '9') {
        unsigned d = (unsigned)(*p - '0');
        if (mag > (UINT64_MAX - d) / 10) return -1;
        mag = mag * 10 + d;
        p++;
    }
    if (p == digits) return -1;
    if (p == end) {
        if (negative ? mag > (uint64_t)INT64_MAX + 1 : mag > (uint64_t)INT64_MAX) return -1;
        *out = negative ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
        return 0;
    }
    double d;
    if (wfh_json_number(v, &d) != 0 || d != (double)(int64_t)d || d < -9223372036854775808.0 ||
        d >= 9223372036854775808.0)
        return -1;
    *out = (int64_t)d;
    return 0;
}

/** Reads the boolean `v` into *out (1 or 0). Returns 0, or -1 when `v` is not `true` or `false`. */
static inline int wfh_json_bool(wfh_json v, int *out) {
    if (v.start != NULL && v.len == 4 && memcmp(v.start, "true", 4) == 0) { *out = 1; return 0; }
    if (v.start != NULL && v.len == 5 && memcmp(v.start, "false", 5) == 0) { *out = 0; return 0; }
    return -1;
}

/** Starts iterating over the array `v`. Returns 0, or -1 when `v` is not an array. */
static inline int wfh_json_items(wfh_json v, wfh_json_iter *it) {
    it->next = NULL;
    if (wfh_json_type_of(v) != WFH_JSON_ARRAY) return -1;
    it->next = wfh_json__ws(v.start + 1);
    return 0;
}

/** Sets *item to the array's next element and returns 1, or returns 0 at the end (or on malformed text). */
static inline int wfh_json_next(wfh_json_iter *it, wfh_json *item) {
    item->start = NULL;
    item->len = 0;
    if (it->next == NULL || *it->next == ']' || *it->next == '\0') { it->next = NULL; return 0; }
    const char *end = wfh_json__skip(it->next);
    if (end == NULL) { it->next = NULL; return 0; }
    item->start = it->next;
    item->len = (size_t)(end - it->next);
    const char *p = wfh_json__ws(end);
    it->next = *p == ',' ? wfh_json__ws(p + 1) : *p == ']' ? p : NULL;
    return 1;
}

/** The number of elements of the array `v` (0 when it is not an array). */
static inline size_t wfh_json_count(wfh_json v) {
    wfh_json_iter it;
    wfh_json item;
    size_t n = 0;
    if (wfh_json_items(v, &it) != 0) return 0;
    while (wfh_json_next(&it, &item)) n++;
    return n;
}

/** The call's argument `name` (a member of `args_json`): returns 0 and sets *out, or -1 when it is absent. */
static inline int wfh_arg(const wfh_request *request, const char *name, wfh_json *out) {
    return wfh_json_member(wfh_json_parse(request->args_json), name, out);
}

/**
 * Copies the string argument `name` into `buf` (see `wfh_json_string`): returns its length in bytes (size or more
 * when truncated), or -1 when it is absent or not a string (`buf` then holds "" when size > 0).
 */
static inline long wfh_arg_string(const wfh_request *request, const char *name, char *buf, size_t size) {
    wfh_json v;
    long n = wfh_arg(request, name, &v) == 0 ? wfh_json_string(v, buf, size) : -1;
    if (n < 0 && size > 0) buf[0] = '\0';
    return n;
}

/** The number argument `name`, or `fallback` when it is absent or not a number. */
static inline double wfh_arg_number(const wfh_request *request, const char *name, double fallback) {
    wfh_json v;
    double d;
    return wfh_arg(request, name, &v) == 0 && wfh_json_number(v, &d) == 0 ? d : fallback;
}

/** The integer argument `name` (exact over int64_t), or `fallback` when it is absent or not an integer. */
static inline int64_t wfh_arg_int(const wfh_request *request, const char *name, int64_t fallback) {
    wfh_json v;
    int64_t i;
    return wfh_arg(request, name, &v) == 0 && wfh_json_int64(v, &i) == 0 ? i : fallback;
}

/** The boolean argument `name` (1 or 0), or `fallback` when it is absent or not a boolean. */
static inline int wfh_arg_bool(const wfh_request *request, const char *name, int fallback) {
    wfh_json v;
    int b;
    return wfh_arg(request, name, &v) == 0 && wfh_json_bool(v, &b) == 0 ? b : fallback;
}

/** Starts iterating over the array argument `name`. Returns 0, or -1 when it is absent or not an array. */
static inline int wfh_arg_array(const wfh_request *request, const char *name, wfh_json_iter *it) {
    wfh_json v;
    it->next = NULL;
    return wfh_arg(request, name, &v) == 0 ? wfh_json_items(v, it) : -1;
}

/* ---- Writing ------------------------------------------------------------------------------------------------- */

/**
 * A JSON writer that grows its buffer with malloc. Start it with WFH_JW_INIT; end it with `wfh_jw_finish` (which
 * frees it) or `wfh_jw_free`. Commas are placed for you; nesting is limited to 64 levels. When memory runs out or
 * nesting is wrong, `failed` is set and later writes do nothing.
 */
typedef struct wfh_jw {
    char *data;        /**< The text so far (NUL-terminated once anything was written). */
    size_t len;        /**< Its length in bytes. */
    size_t cap;        /**< Bytes allocated. */
    int failed;        /**< Non-zero after an allocation failure or a nesting error. */
    int depth;         /**< Open objects and arrays. */
    int after_key;     /**< A key was written and its value is next. */
    uint64_t has_item; /**< Bit d: the container at depth d already holds an item. */
} wfh_jw;

/** An empty writer. */
#define WFH_JW_INIT {NULL, 0, 0, 0, 0, 0, 0}

static inline void wfh_jw__append(wfh_jw *w, const char *s, size_t n) {
    if (w->failed) return;
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + n + 1) cap *= 2;
        char *data = (char *)realloc(w->data, cap);
        if (data == NULL) { w->failed = 1; return; }
        w->data = data;
        w->cap = cap;
    }
    memcpy(w->data + w->len, s, n);
    w->len += n;
    w->data[w->len] = '\0';
}

/* Before a value: a comma when the enclosing array already holds one (in an object the key wrote it). */
static inline void wfh_jw__value(wfh_jw *w) {
    if (w->after_key) { w->after_key = 0; return; }
    if (w->depth > 0) {
        uint64_t bit = (uint64_t)1 << (w->depth - 1);
        if (w->has_item & bit) wfh_jw__append(w, ",", 1);
        w->has_item |= bit;
    }
}

static inline void wfh_jw__open(wfh_jw *w, char c) {
    wfh_jw__value(w);
    if (w->depth >= 64) { w->failed = 1; return; }
    wfh_jw__append(w, &c, 1);
    w->has_item &= ~((uint64_t)1 << w->depth);
    w->depth++;
}

static inline void wfh_jw__close(wfh_jw *w, char c) {
    if (w->depth <= 0 || w->after_key) { w->failed = 1; return; }
    w->depth--;
    wfh_jw__append(w, &c, 1);
}

/** Opens an object: `{`. */
static inline void wfh_jw_begin_object(wfh_jw *w) { wfh_jw__open(w, '{'); }
/** Closes an object: `}`. */
static inline void wfh_jw_end_object(wfh_jw *w) { wfh_jw__close(w, '}'); }
/** Opens an array: `[`. */
static inline void wfh_jw_begin_array(wfh_jw *w) { wfh_jw__open(w, '['); }
/** Closes an array: `]`. */
static inline void wfh_jw_end_array(wfh_jw *w) { wfh_jw__close(w, ']'); }

/* Writes a quoted, escaped string (no comma handling). */
static inline void wfh_jw__quoted(wfh_jw *w, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    wfh_jw__append(w, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        wfh_jw__append(w, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        switch (c) {
        case '"': wfh_jw__append(w, "\\\"", 2); break;
        case '\\': wfh_jw__append(w, "\\\\", 2); break;
        case '\n': wfh_jw__append(w, "\\n", 2); break;
        case '\r': wfh_jw__append(w, "\\r", 2); break;
        case '\t': wfh_jw__append(w, "\\t", 2); break;
        default: wfh_jw__append(w, esc, 6);
        }
    }
    wfh_jw__append(w, s + run, n - run);
    wfh_jw__append(w, "\"", 1);
}

/** Writes `n` bytes of UTF-8 as a JSON string, escaping `"`, `\` and control characters. */
static inline void wfh_jw_string_n(wfh_jw *w, const char *s, size_t n) {
    wfh_jw__value(w);
    wfh_jw__quoted(w, s, n);
}

/** Writes a NUL-terminated string (NULL writes `null`). */
static inline void wfh_jw_string(wfh_jw *w, const char *s) {
    if (s == NULL) { wfh_jw__value(w); wfh_jw__append(w, "null", 4); return; }
    wfh_jw_string_n(w, s, strlen(s));
}

/** Writes an object member's key; its value comes next. */
static inline void wfh_jw_key(wfh_jw *w, const char *key) {
    if (w->depth <= 0 || w->after_key) { w->failed = 1; return; }
    wfh_jw__value(w);
    wfh_jw__quoted(w, key, strlen(key));
    wfh_jw__append(w, ":", 1);
    w->after_key = 1;
}

/** Writes an integer, exactly. */
static inline void wfh_jw_int(wfh_jw *w, int64_t value) {
    char text[32];
    int n = snprintf(text, sizeof text, "%lld", (long long)value);
    wfh_jw__value(w);
    wfh_jw__append(w, text, (size_t)n);
}

/** Writes a number: the shortest of %.15g and %.17g that reads back as `value`; NaN and infinities as `null`. */
static inline void wfh_jw_number(wfh_jw *w, double value) {
    char text[40];
    int n;
    if (value != value || value > 1.7976931348623157e308 || value < -1.7976931348623157e308) {
        n = snprintf(text, sizeof text, "null");
    } else {
        n = snprintf(text, sizeof text, "%.15g", value);
        if (strtod(text, NULL) != value) n = snprintf(text, sizeof text, "%.17g", value);
    }
    wfh_jw__value(w);
    wfh_jw__append(w, text, (size_t)n);
}

/** Writes `true` or `false`. */
static inline void wfh_jw_bool(wfh_jw *w, int value) {
    wfh_jw__value(w);
    wfh_jw__append(w, value ? "true" : "false", value ? 4 : 5);
}

/** Writes `null`. */
static inline void wfh_jw_null(wfh_jw *w) {
    wfh_jw__value(w);
    wfh_jw__append(w, "null", 4);
}

/** Writes a JSON value given as text, unchanged (it must be valid JSON). */
static inline void wfh_jw_raw(wfh_jw *w, const char *json) {
    wfh_jw__value(w);
    wfh_jw__append(w, json, strlen(json));
}

/** Frees the writer's buffer and empties it. */
static inline void wfh_jw_free(wfh_jw *w) {
    free(w->data);
    wfh_jw empty = WFH_JW_INIT;
    *w = empty;
}

/**
 * Sets the written text as the call's result, frees the writer, and returns WFH_OK. Fails the call instead (and
 * returns WFH_FAILED) with `result_unfinished` when memory ran out or an object or array is still open, and with
 * `result_too_large` when the host refuses the result's size.
 */
static inline wfh_status wfh_jw_finish(const wfh_host *host, wfh_call *call, wfh_jw *w) {
    wfh_status status = WFH_OK;
    if (w->failed || w->depth != 0 || w->after_key || w->data == NULL) {
        status = wfh_fail(host, call, "result_unfinished",
                          w->failed ? "the tool could not build its result (out of memory, or mismatched "
                                      "wfh_jw_begin/end calls)"
                                    : "the tool's result is incomplete (an object or array is still open)",
                          0);
    } else if (host->set_result(call, w->data, w->len) != 0) {
        status = wfh_fail(host, call, "result_too_large", "the result exceeds the call's size limit", 0);
    }
    wfh_jw_free(w);
    return status;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* WFHOST_JSON_H */
