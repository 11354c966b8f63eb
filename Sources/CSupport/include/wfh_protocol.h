/*
 * The host-worker protocol's numbers, defined once: the worker (C) includes this header and the host (Swift)
 * imports it through the CSupport module (Sources/Isolation/WorkerProtocol.swift), so no number is typed twice.
 * The frame layout and kinds are described in Sources/wfhost-worker/frames.h.
 */
#ifndef WFH_PROTOCOL_H
#define WFH_PROTOCOL_H

/* File descriptors the host sets up before exec (close-on-exec in the worker once it starts). */
#define WFH_FD_REQUESTS 3 /* host -> worker */
#define WFH_FD_EVENTS 4   /* worker -> host */
#define WFH_FD_PLUGIN 5   /* the plugin file, opened (and hashed) by the host */

/* Bytes before a frame's payload: u32 length, u8 type, u32 call id. */
#define WFH_FRAME_HEADER 9

/* At most this many read, write and hidden paths each reach the worker's sandbox; a plugin that declares more
 * is invalid at validation (the scanner reports one more than this, so the registry can tell). */
#define WFH_SANDBOX_MAX_PATHS 64

/* The deepest nesting of a JSON value either side parses (the worker's and plugins' C reader, the host's parser
 * and schema evaluation): a value nested deeper is refused the same way on both sides. */
#define WFH_JSON_MAX_DEPTH 512

/* Frame kinds (the payloads are described in Sources/wfhost-worker/frames.h). */
typedef enum wfh_frame_kind {
    WFH_FRAME_CALL = 'C',        /* host -> worker: a call */
    WFH_FRAME_READY = 'R',       /* the worker is confined and has loaded the plugin */
    WFH_FRAME_LOAD_FAILED = 'F', /* it could not (then it exits) */
    WFH_FRAME_LOG = 'L',
    WFH_FRAME_PROGRESS = 'P',
    WFH_FRAME_ERROR = 'E',       /* the tool's own report_error */
    WFH_FRAME_VERDICT = 'X',     /* the worker's own finding about the call */
    WFH_FRAME_RESULT = 'S',
    WFH_FRAME_DONE = 'D',
    WFH_FRAME_CALL_ENDED = 'K',  /* fork servers: how the call's process ended */
} wfh_frame_kind;

/* The worker's verdicts ('X' frames): findings the host gives a class of its own. */
#define WFH_VERDICT_RESULT_TOO_LARGE "result_too_large"
#define WFH_VERDICT_OUT_OF_MEMORY "out_of_memory"
#define WFH_VERDICT_FORK_FAILED "fork_failed"

#endif
