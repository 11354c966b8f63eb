/* The worker's confinement: resource limits, no_new_privs, and Landlock rules built from capabilities. */
#ifndef WFH_SANDBOX_H
#define WFH_SANDBOX_H
#include <stddef.h>

typedef struct sandbox_spec {
    long mem_mb;        /* RLIMIT_AS in MiB; 0 = unlimited */
    long cpu_seconds;   /* RLIMIT_CPU; 0 = unlimited */
    long max_files;     /* RLIMIT_NOFILE; 0 = unchanged */
    int enforce;        /* apply Landlock (1) or not (0) */
    int network;        /* TCP bind/connect allowed */
    const char *work_dir;
    const char *plugin_path; /* the plugin file (kept readable) */
    const char *read_paths[64];
    size_t read_count;  /* 0 = the whole file system is readable */
    const char *write_paths[64];
    size_t write_count;
} sandbox_spec;

/* Applies the limits and no_new_privs; returns 0 or -1 with a message. */
int apply_limits(const sandbox_spec *spec, char *message, size_t size);
/* Applies Landlock. Returns the Landlock ABI applied (>0), 0 when the kernel lacks Landlock, -1 on error. */
int apply_landlock(const sandbox_spec *spec, char *message, size_t size);

/* Blocks creating internet sockets (seccomp) when the tool may not use the network. Returns 0 or -1. */
int apply_network_filter(char *message, size_t size);

#endif
