/*
 * The worker's wire protocol. Frames on both channels are [u32 length][u8 type][u32 call id][payload]
 * (integers little-endian), where length counts the type byte, the call id and the payload. Requests arrive on
 * WFH_FD_REQUESTS, events leave on WFH_FD_EVENTS; both are close-on-exec in the worker, so programs a tool runs
 * cannot reach them, and the plugin's stdout and stderr are separate pipes, so nothing a plugin prints can forge
 * a frame. Every event of a call carries that call's id (the host numbers calls from 1); a frame with another
 * id is a protocol failure that retires the worker. 'R' and 'F' carry id 0.
 *
 * host -> worker
 *   'C' call       u32 attempt, tool NUL, work_dir NUL, args JSON (rest)
 * worker -> host
 *   'R' ready      JSON {"pid":N,"sandbox":"enforced"|"partial"|"off","landlock":ABI,"layers":{...},"missing":".."}
 *   'F' load failed JSON {"kind":..,"message":..}  (then the worker exits)
 *   'L' log        u8 level, text
 *   'P' progress   f64 fraction (native byte order), text
 *   'E' error      u8 retryable, code NUL, message (the tool's own report_error)
 *   'X' verdict    code NUL, message: the worker's own finding about the call (result_too_large, out_of_memory)
 *   'S' result     JSON bytes (a later one replaces an earlier one)
 *   'D' done       u8 status (0 ok, 1 failed), u64 max RSS in KiB (native byte order)
 *   'K' call ended (fork servers only, after every call): u8 signaled, i32 exit code or signal, u8 core dumped
 */
#ifndef WFH_FRAMES_H
#define WFH_FRAMES_H
#include <stddef.h>
#include <stdint.h>

#include "wfh_protocol.h" /* WFH_FRAME_HEADER */

/* The id written into every frame sent (the current call's; 0 outside calls). */
extern uint32_t frame_call_id;

/* Sends one frame made of a header and up to three payload parts. Returns 0 or -1. */
int frame_send(int fd, char type, const void *a, size_t alen, const void *b, size_t blen, const void *c, size_t clen);
/* Reads one frame; *payload is malloc'd (caller frees). Returns the type, 0 at clean EOF, -1 on error. */
int frame_recv(int fd, unsigned char **payload, size_t *len, uint32_t *call_id, size_t max_len);

#endif
