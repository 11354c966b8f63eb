/* Shared declarations of the wfhost worker: the child process that loads plugins on the host's behalf. */
#ifndef WFH_WORKER_H
#define WFH_WORKER_H

/* The file descriptors (WFH_FD_*): the plugin's stdout/stderr are captured separately, so nothing a plugin prints
 * can reach these channels. */
#include "wfh_protocol.h"

/* Checks the ELF header of the plugin at fd. Returns 0 when it may be a loadable shared object; otherwise fills
 * kind (a finding code) and message (a sentence) and returns -1. */
int elf_check(int fd, const char **kind, char *message, unsigned long message_size);

/* Loads the plugin open at fd by its real path `real` (resolved before the sandbox was entered), after checking
 * that the path still names that file; returns its handle, or NULL with kind and message filled. */
void *load_plugin(int fd, const char *real, const char *display_path, const char **kind, char *message,
                  unsigned long message_size);

struct sandbox_spec;
/* `wfhost-worker probe`: confines itself and reports the sandbox's layers as JSON on WFH_FD_EVENTS. */
int run_probe(const struct sandbox_spec *spec);

/* `wfhost-worker scan`: confines itself as a call would (no network, nothing writable), then reports the plugin's
 * descriptor as JSON on WFH_FD_EVENTS. Returns the exit code. */
int run_scan(const char *display_path, const struct sandbox_spec *spec);

/* `wfhost-worker serve`: confines itself, loads the plugin and serves calls. Returns the exit code. */
/* With fork_calls, each call runs in a fresh fork of the confined, loaded worker (a fork server). */
int run_serve(const char *display_path, const struct sandbox_spec *spec, unsigned long max_result, int fork_calls);

/* `wfhost-worker exec`: confines itself as serve does, then execve's command[0] with command (NULL-ended) as
 * its arguments and the environment minus wfhost's own variables. Returns an exit code only on failure. */
int run_exec(const struct sandbox_spec *spec, char *const command[]);

#endif
