#include "wfh_json_reader.h"
#include "wfh_protocol.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JR_MAX_DEPTH WFH_JSON_MAX_DEPTH

typedef struct parser {
    const char *p, *end;
    char *error;
    size_t error_size;
    int failed;
} parser;

static void fail(parser *ps, const char *what) {
    if (ps->failed) return;
    ps->failed = 1;
    snprintf(ps->error, ps->error_size, "%s", what);
}

static void skip_ws(parser *ps) {
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) ps->p++;
}

static jr_value *new_value(jr_type t) {
    jr_value *v = calloc(1, sizeof *v);
    if (v) v->type = t;
    return v;
}

static int append_child(jr_value *v, char *key, jr_value *child) {
    jr_value **items = realloc(v->items, (v->length + 1) * sizeof *items);
    if (!items) return -1;
    v->items = items;
    if (v->type == JR_OBJECT) {
        char **keys = realloc(v->keys, (v->length + 1) * sizeof *keys);
        if (!keys) return -1;
        v->keys = keys;
        v->keys[v->length] = key;
    }
    v->items[v->length++] = child;
    return 0;
}

static int hex4(const char *s, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp) {
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Parses a string at ps->p (which points at the opening quote); returns a malloc'd buffer. */
static char *parse_string(parser *ps, size_t *len_out) {
    ps->p++;
    const char *start = ps->p;
    size_t cap = 16;
    while (ps->p < ps->end && *ps->p != '"') { if (*ps->p == '\\') ps->p++; ps->p++; cap++; }
    ps->p = start;
    char *out = malloc(cap + 4);
    if (!out) { fail(ps, "out of memory"); return NULL; }
    size_t n = 0;
    while (ps->p < ps->end && *ps->p != '"') {
        unsigned char c = (unsigned char)*ps->p;
        if (c < 0x20) { fail(ps, "control character in string"); free(out); return NULL; }
        if (c != '\\') { out[n++] = (char)c; ps->p++; continue; }
        ps->p++;
        if (ps->p >= ps->end) break;
        char e = *ps->p++;
        switch (e) {
        case '"': out[n++] = '"'; break;
        case '\\': out[n++] = '\\'; break;
        case '/': out[n++] = '/'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        case 'u': {
            unsigned cp;
            if (ps->end - ps->p < 4 || hex4(ps->p, &cp) != 0) { fail(ps, "bad \\u escape"); free(out); return NULL; }
            ps->p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u') {
                unsigned lo;
                if (hex4(ps->p + 2, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    ps->p += 6;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
            n += put_utf8(out + n, cp);
            break;
        }
        default: fail(ps, "bad escape"); free(out); return NULL;
        }
    }
    if (ps->p >= ps->end) { fail(ps, "unterminated string"); free(out); return NULL; }
    ps->p++;
    out[n] = '\0';
    *len_out = n;
    return out;
}

static jr_value *parse_value(parser *ps, int depth);

static jr_value *parse_container(parser *ps, int depth, int object) {
    jr_value *v = new_value(object ? JR_OBJECT : JR_ARRAY);
    if (!v) { fail(ps, "out of memory"); return NULL; }
    ps->p++;
    skip_ws(ps);
    char close = object ? '}' : ']';
    if (ps->p < ps->end && *ps->p == close) { ps->p++; return v; }
    for (;;) {
        char *key = NULL;
        skip_ws(ps);
        if (object) {
            size_t klen;
            if (ps->p >= ps->end || *ps->p != '"') { fail(ps, "expected a member name"); break; }
            key = parse_string(ps, &klen);
            if (!key) break;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') { fail(ps, "expected ':'"); free(key); break; }
            ps->p++;
        }
        jr_value *child = parse_value(ps, depth + 1);
        if (!child) { free(key); break; }
        if (append_child(v, key, child) != 0) { fail(ps, "out of memory"); free(key); jr_free(child); break; }
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
        if (ps->p < ps->end && *ps->p == close) { ps->p++; return v; }
        fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
        break;
    }
    jr_free(v);
    return NULL;
}

static jr_value *parse_value(parser *ps, int depth) {
    if (depth > JR_MAX_DEPTH) { fail(ps, "nesting too deep"); return NULL; }
    skip_ws(ps);
    if (ps->p >= ps->end) { fail(ps, "unexpected end of input"); return NULL; }
    char c = *ps->p;
    if (c == '{') return parse_container(ps, depth, 1);
    if (c == '[') return parse_container(ps, depth, 0);
    if (c == '"') {
        jr_value *v = new_value(JR_STRING);
        if (!v) { fail(ps, "out of memory"); return NULL; }
        v->string = parse_string(ps, &v->length);
        if (!v->string) { free(v); return NULL; }
        return v;
    }
    static const struct { const char *word; jr_type type; int b; } words[] = {
        {"true", JR_BOOL, 1}, {"false", JR_BOOL, 0}, {"null", JR_NULL, 0}};
    for (size_t i = 0; i < 3; i++) {
        size_t wl = strlen(words[i].word);
        if ((size_t)(ps->end - ps->p) >= wl && memcmp(ps->p, words[i].word, wl) == 0) {
            ps->p += wl;
            jr_value *v = new_value(words[i].type);
            if (!v) { fail(ps, "out of memory"); return NULL; }
            v->boolean = words[i].b;
            return v;
        }
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        char buf[64];
        size_t n = 0;
        while (ps->p + n < ps->end && n < sizeof buf - 1 && strchr("+-0123456789.eE", ps->p[n])) n++;
        memcpy(buf, ps->p, n);
        buf[n] = '\0';
        char *endp;
        double d = strtod(buf, &endp);
        if (endp == buf) { fail(ps, "bad number"); return NULL; }
        ps->p += endp - buf;
        jr_value *v = new_value(JR_NUMBER);
        if (!v) { fail(ps, "out of memory"); return NULL; }
        v->number = d;
        return v;
    }
    fail(ps, "unexpected character");
    return NULL;
}

jr_value *jr_parse(const char *text, size_t len, char *error, size_t error_size) {
    parser ps = {text, text + len, error, error_size, 0};
    jr_value *v = parse_value(&ps, 0);
    if (v) {
        skip_ws(&ps);
        if (ps.p != ps.end) { fail(&ps, "trailing characters"); jr_free(v); v = NULL; }
    }
    if (!v && error_size > 0) {
        char what[128]; /* the reason fail() stored, then the offset from the start of the text */
        snprintf(what, sizeof what, "%s", error);
        snprintf(error, error_size, "%s at byte %ld", what, (long)(ps.p - text));
    }
    return v;
}

void jr_free(jr_value *v) {
    if (!v) return;
    for (size_t i = 0; (v->type == JR_ARRAY || v->type == JR_OBJECT) && i < v->length; i++) {
        jr_free(v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
    free(v);
}

const jr_value *jr_get(const jr_value *v, const char *key) {
    if (!v || v->type != JR_OBJECT) return NULL;
    for (size_t i = 0; i < v->length; i++)
        if (strcmp(v->keys[i], key) == 0) return v->items[i];
    return NULL;
}

const char *jr_get_string(const jr_value *v, const char *key, const char *fallback) {
    const jr_value *m = jr_get(v, key);
    return m && m->type == JR_STRING ? m->string : fallback;
}

double jr_get_number(const jr_value *v, const char *key, double fallback) {
    const jr_value *m = jr_get(v, key);
    return m && m->type == JR_NUMBER ? m->number : fallback;
}

int jr_get_bool(const jr_value *v, const char *key, int fallback) {
    const jr_value *m = jr_get(v, key);
    return m && m->type == JR_BOOL ? m->boolean : fallback;
}
