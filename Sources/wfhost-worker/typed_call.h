/* Calls a plain C function described by a typed signature ("f64 (f64 a, f64 b)") through libffi. */
#ifndef WFH_TYPED_CALL_H
#define WFH_TYPED_CALL_H
#include "wfh_json_writer.h"
#include <stddef.h>

/* Calls fn with the members of the JSON object args mapped to the signature's parameters by name.
 * On success writes {"result": value} to out and returns 0; on a mismatch (a missing argument, a wrong type,
 * a number out of range) writes a sentence to message and returns -1: the function is not called. */
int typed_call(const char *signature, void (*fn)(void), const char *args, size_t args_len, jw *out, char *message,
               size_t message_size);

#endif
