/* A growable buffer that writes JSON text. Strings are escaped; invalid UTF-8 becomes U+FFFD. */
#ifndef WFH_JSON_WRITER_H_
#define WFH_JSON_WRITER_H_
#include <stddef.h>
#include <stdint.h>

typedef struct jw {
    char *data;
    size_t len, cap;
    int failed; /* set when memory ran out; the text is then unusable */
} jw;

void jw_raw(jw *w, const char *text, size_t len);
void jw_lit(jw *w, const char *text);             /* raw NUL-terminated text: punctuation, numbers */
void jw_str(jw *w, const char *s);                /* a JSON string, or null when s is NULL */
void jw_strn(jw *w, const char *s, size_t len);   /* a JSON string of len bytes */
void jw_key(jw *w, const char *key, int first);   /* ",\"key\":" (without the comma when first) */
void jw_int(jw *w, long long v);
void jw_free(jw *w);
/* Writes all of buf to fd, retrying on EINTR and short writes. Returns 0 or -1. */
int write_all(int fd, const void *buf, size_t len);

#endif
