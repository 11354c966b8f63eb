/* Shared declarations of the wfhost worker: the child process that loads plugins on the host's behalf. */
#ifndef WFH_WORKER_H
#define WFH_WORKER_H

/* File descriptors the host sets up before exec. The plugin's stdout/stderr are captured separately, so
 * nothing a plugin prints can reach these channels. */
#define WFH_FD_REQUESTS 3 /* host -> worker */
#define WFH_FD_EVENTS 4   /* worker -> host */
#define WFH_FD_PLUGIN 5   /* the plugin file, opened (and hashed) by the host */

/* Checks the ELF header of the plugin at fd. Returns 0 when it may be a loadable shared object; otherwise fills
 * kind (a finding code) and message (a sentence) and returns -1. */
int elf_check(int fd, const char **kind, char *message, unsigned long message_size);

/* Loads the plugin at fd and returns its handle; on failure fills kind and message and returns NULL. */
void *load_plugin(int fd, const char *display_path, const char **kind, char *message, unsigned long message_size);

/* `wfhost-worker scan`: reports the plugin's descriptor as JSON on WFH_FD_EVENTS. Returns the exit code. */
int run_scan(const char *display_path);

struct sandbox_spec;
/* `wfhost-worker serve`: confines itself, loads the plugin and serves calls. Returns the exit code. */
int run_serve(const char *display_path, const struct sandbox_spec *spec, unsigned long max_result);

#endif
