/*
 * The worker's wire protocol. Frames on both channels are [u32 length, little-endian][u8 type][payload], where
 * length counts the type byte and the payload. Requests arrive on WFH_FD_REQUESTS, events leave on WFH_FD_EVENTS;
 * the plugin's stdout and stderr are separate pipes, so nothing a plugin prints can forge a frame.
 *
 * host -> worker
 *   'C' call       u32 attempt, tool NUL, work_dir NUL, args JSON (rest)
 * worker -> host
 *   'R' ready      JSON {"pid":N,"landlock":ABI,"sandbox":"enforced"|"unavailable"|"off"}
 *   'F' load failed JSON {"kind":..,"message":..}  (then the worker exits)
 *   'L' log        u8 level, text
 *   'P' progress   f64 fraction (native byte order), text
 *   'E' error      u8 retryable, code NUL, message
 *   'S' result     JSON bytes (a later one replaces an earlier one)
 *   'D' done       u8 status (0 ok, 1 failed), u64 max RSS in KiB (native byte order)
 */
#ifndef WFH_FRAMES_H
#define WFH_FRAMES_H
#include <stddef.h>
#include <stdint.h>

/* Sends one frame made of a header byte and up to three payload parts. Returns 0 or -1. */
int frame_send(int fd, char type, const void *a, size_t alen, const void *b, size_t blen, const void *c, size_t clen);
/* Reads one frame; *payload is malloc'd (caller frees). Returns the type, 0 at clean EOF, -1 on error. */
int frame_recv(int fd, unsigned char **payload, size_t *len, size_t max_len);

#endif
