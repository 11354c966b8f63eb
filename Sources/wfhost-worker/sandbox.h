/*
 * The worker's confinement, in layers (README "The sandbox"):
 *   1. namespaces (namespaces.c): a user namespace with the caller's own uid and gid mapped and every capability
 *      dropped before plugin code runs; a PID namespace with a tiny init as PID 1, so nothing a tool starts
 *      outlives the worker; a mount namespace whose root holds only the system directories (read-only), the
 *      tool's declared paths and its work directory, with the state directory and credential stores masked;
 *      an IPC namespace; an empty network namespace unless the tool declares the network capability;
 *   2. Landlock rules for the same paths (a second layer, and the only one where namespaces are unavailable);
 *   3. a seccomp filter (libseccomp): the native architecture only, no io_uring, ptrace, bpf, keyrings, mounts,
 *      namespaces or kernel modules, socket families limited to AF_UNIX (and AF_INET/AF_INET6 with the network
 *      capability);
 *   4. rlimits and no_new_privs.
 */
#ifndef WFH_SANDBOX_H
#define WFH_SANDBOX_H
#include <stddef.h>

#include "wfh_protocol.h" /* WFH_SANDBOX_MAX_PATHS */

typedef enum { SANDBOX_OFF = 0, SANDBOX_ON = 1, SANDBOX_STRICT = 2 } sandbox_mode;

typedef struct sandbox_spec {
    long mem_mb;        /* RLIMIT_AS in MiB; 0 = unlimited */
    long cpu_seconds;   /* RLIMIT_CPU; 0 = unlimited */
    long max_files;     /* RLIMIT_NOFILE; 0 = unchanged */
    sandbox_mode mode;  /* off: limits only; on: every layer the kernel offers; strict: all layers or refuse */
    int network;        /* the tool may use AF_INET/AF_INET6 */
    const char *work_dir;    /* writable; NULL for none (the scanner) */
    const char *plugin_path; /* the plugin file; its directory stays readable (for $ORIGIN dependencies) */
    const char *read_paths[WFH_SANDBOX_MAX_PATHS];
    size_t read_count;  /* 0 = the system directories and the work directory only; "/" = everything not hidden */
    const char *write_paths[WFH_SANDBOX_MAX_PATHS];
    size_t write_count;
    const char *hide_paths[WFH_SANDBOX_MAX_PATHS]; /* masked unless declared exactly (the state directory, ...) */
    size_t hide_count;
} sandbox_spec;

/* Which layers are in force, reported in the ready frame and by `wfhost doctor`. */
typedef struct sandbox_status {
    int user_ns, pid_ns, mount_ns, ipc_ns, net_ns; /* 1 when the worker runs in a namespace of its own */
    int caps_dropped;   /* no capabilities left, in any namespace */
    int landlock_abi;   /* >0 the Landlock ABI applied; 0 none */
    int seccomp;        /* 1 when the filter is installed */
    char missing[256];  /* why a layer is missing ("" when none is), for the user */
} sandbox_status;

/*
 * Enters the namespaces and builds the tool's file-system view. Returns 0 in the process that goes on to load
 * the plugin (PID 2 of the new PID namespace, or the caller itself where namespaces are unavailable); the
 * processes above it never return (they wait and pass its exit status on). -1 with a message on failure.
 */
int sandbox_enter_namespaces(const sandbox_spec *spec, sandbox_status *status, char *message, size_t size);

/* Applies the limits and no_new_privs; returns 0 or -1 with a message. */
int apply_limits(const sandbox_spec *spec, char *message, size_t size);
/* Applies Landlock. Returns the Landlock ABI applied (>0), 0 when the kernel lacks Landlock, -1 on error. */
int apply_landlock(const sandbox_spec *spec, char *message, size_t size);
/* Drops every capability (effective, permitted, inheritable, ambient, bounding). Returns 1, 0 when none were
 * held to begin with and the bounding set could not be changed, or -1 with a message. */
int drop_capabilities(char *message, size_t size);
/* Installs the seccomp filter. Returns 1, or -1 with a message. */
int apply_seccomp(const sandbox_spec *spec, char *message, size_t size);

/* Applies every layer in order (namespaces, limits, capabilities, Landlock, seccomp) and fills status; in
 * strict mode a missing layer is an error. Returns 0 (in the process that serves) or -1 with a message. */
int sandbox_apply(const sandbox_spec *spec, sandbox_status *status, char *message, size_t size);

/* Kills what the current call left running and reaps it, within about a second, without blocking on it. */
void sandbox_end_leftovers(const sandbox_status *status);

/* The status as a JSON object's members (no braces), appended with the writer of wfh_json_writer.h. */
struct jw;
void sandbox_status_json(struct jw *w, const sandbox_spec *spec, const sandbox_status *status);

#endif
