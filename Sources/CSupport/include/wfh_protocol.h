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

/* At most this many read, write and hidden paths each reach the worker's sandbox. */
#define WFH_SANDBOX_MAX_PATHS 64

#endif
