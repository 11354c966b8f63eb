/* A small JSON reader for the worker and the shipped C plugins: parses a text into a tree it owns. */
#ifndef WFH_JSON_READER_H
#define WFH_JSON_READER_H
#include <stddef.h>

typedef enum jr_type { JR_NULL, JR_BOOL, JR_NUMBER, JR_STRING, JR_ARRAY, JR_OBJECT } jr_type;

typedef struct jr_value jr_value;
struct jr_value {
    jr_type type;
    int boolean;
    double number;
    char *string;       /* JR_STRING: NUL-terminated (may contain NULs: use length) */
    size_t length;      /* JR_STRING: bytes; JR_ARRAY/JR_OBJECT: number of children */
    char **keys;        /* JR_OBJECT: member names */
    jr_value **items;   /* JR_ARRAY/JR_OBJECT: children */
};

/* Parses len bytes. Returns a tree (free with jr_free) or NULL with a message in error. Nesting is limited. */
jr_value *jr_parse(const char *text, size_t len, char *error, size_t error_size);
void jr_free(jr_value *v);
/* Member `key` of an object, or NULL (also when v is not an object). */
const jr_value *jr_get(const jr_value *v, const char *key);
/* Typed member lookups with a fallback when the member is missing or of another type. */
const char *jr_get_string(const jr_value *v, const char *key, const char *fallback);
double jr_get_number(const jr_value *v, const char *key, double fallback);
int jr_get_bool(const jr_value *v, const char *key, int fallback);

#endif
