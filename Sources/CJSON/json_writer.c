#include "wfh_json_writer.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void jw_reserve(jw *w, size_t extra) {
    if (w->failed) return;
    if (w->len + extra <= w->cap) return;
    size_t cap = w->cap ? w->cap : 256;
    while (cap < w->len + extra) cap *= 2;
    char *p = realloc(w->data, cap);
    if (!p) { w->failed = 1; return; }
    w->data = p;
    w->cap = cap;
}

void jw_raw(jw *w, const char *text, size_t len) {
    jw_reserve(w, len);
    if (w->failed) return;
    memcpy(w->data + w->len, text, len);
    w->len += len;
}

void jw_lit(jw *w, const char *text) { jw_raw(w, text, strlen(text)); }

/* Length of the valid UTF-8 sequence at s (max n bytes), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    size_t need;
    uint32_t cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) { need = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { need = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 4; cp = c & 0x07; }
    else return 0;
    if (n < need) return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
    if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
    return need;
}

void jw_strn(jw *w, const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    jw_raw(w, "\"", 1);
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        char esc[8];
        if (c == '"' || c == '\\') { esc[0] = '\\'; esc[1] = (char)c; jw_raw(w, esc, 2); i++; continue; }
        if (c < 0x20) {
            switch (c) {
            case '\n': jw_raw(w, "\\n", 2); break;
            case '\r': jw_raw(w, "\\r", 2); break;
            case '\t': jw_raw(w, "\\t", 2); break;
            default: snprintf(esc, sizeof esc, "\\u%04x", c); jw_raw(w, esc, 6); break;
            }
            i++;
            continue;
        }
        size_t n = utf8_seq(p + i, len - i);
        if (n == 0) { jw_raw(w, "\xEF\xBF\xBD", 3); i++; continue; }
        jw_raw(w, s + i, n);
        i += n;
    }
    jw_raw(w, "\"", 1);
}

void jw_str(jw *w, const char *s) {
    if (!s) { jw_lit(w, "null"); return; }
    jw_strn(w, s, strlen(s));
}

void jw_key(jw *w, const char *key, int first) {
    if (!first) jw_raw(w, ",", 1);
    jw_str(w, key);
    jw_raw(w, ":", 1);
}

void jw_int(jw *w, long long v) {
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%lld", v);
    jw_raw(w, buf, (size_t)n);
}

void jw_free(jw *w) {
    free(w->data);
    w->data = NULL;
    w->len = w->cap = 0;
}

int write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}
