/*
 * `wfhost-worker serve`: confine the process, load one plugin, then serve call requests one at a time until the
 * host closes the request channel. See frames.h for the protocol.
 */
#define _GNU_SOURCE
#include "frames.h"
#include "sandbox.h"
#include "typed_call.h"
#include "wfh_json_writer.h"
#include "worker.h"
#include "wfhost/plugin.h"
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Set by SIGTERM or SIGUSR1 from the host; read by the tool through is_cancelled. */
static volatile sig_atomic_t cancelled;
/* In a fork server: the process running the current call (0 between calls, and in that process itself). */
static volatile pid_t call_process;

static void on_cancel(int sig) {
    cancelled = 1;
    if (call_process > 0) kill(call_process, sig); /* a fork server passes the request on to the call */
}

struct wfh_call {
    size_t max_result;
    int result_too_large;
};

/* The worker's own finding about a call (not the tool's word): the host gives it its class. */
static void send_verdict(const char *code, const char *message) {
    frame_send(WFH_FD_EVENTS, WFH_FRAME_VERDICT, code, strlen(code) + 1, message, strlen(message), NULL, 0);
}

static int host_set_result(wfh_call *call, const char *json, size_t len) {
    if (len > call->max_result) {
        /* The call fails whatever the tool returns afterwards (the host also checks every result's size). */
        call->result_too_large = 1;
        char message[128];
        snprintf(message, sizeof message, "%zu", len);
        send_verdict(WFH_VERDICT_RESULT_TOO_LARGE, message);
        return -1;
    }
    return frame_send(WFH_FD_EVENTS, WFH_FRAME_RESULT, json, len, NULL, 0, NULL, 0) == 0 ? 0 : -1;
}

static void host_log(wfh_call *call, wfh_log_level level, const char *message, size_t len) {
    (void)call;
    unsigned char l = (unsigned char)level;
    frame_send(WFH_FD_EVENTS, WFH_FRAME_LOG, &l, 1, message, len, NULL, 0);
}

static void host_progress(wfh_call *call, double fraction, const char *message) {
    (void)call;
    if (!(fraction >= 0)) fraction = 0; /* also catches NaN */
    if (fraction > 1) fraction = 1;
    frame_send(WFH_FD_EVENTS, WFH_FRAME_PROGRESS, &fraction, sizeof fraction, message ? message : "", message ? strlen(message) : 0,
               NULL, 0);
}

static void host_report_error(wfh_call *call, const char *code, const char *message, int retryable) {
    (void)call;
    unsigned char r = retryable ? 1 : 0;
    const char *c = code ? code : "tool_error";
    const char *m = message ? message : "";
    frame_send(WFH_FD_EVENTS, WFH_FRAME_ERROR, &r, 1, c, strlen(c) + 1, m, strlen(m));
}

static int host_is_cancelled(wfh_call *call) {
    (void)call;
    return cancelled != 0;
}

static const wfh_host host_api = {sizeof(wfh_host), 0, host_set_result, host_log, host_progress, host_report_error,
                                  host_is_cancelled};

static sandbox_status sandbox;

static void send_load_failure(const char *kind, const char *message) {
    jw w = {0};
    jw_lit(&w, "{");
    jw_key(&w, "kind", 1); jw_str(&w, kind);
    jw_key(&w, "message", 0); jw_str(&w, message);
    jw_lit(&w, "}");
    if (!w.failed) frame_send(WFH_FD_EVENTS, WFH_FRAME_LOAD_FAILED, w.data, w.len, NULL, 0, NULL, 0);
    jw_free(&w);
}

/* Finds the tool named `name`, copying at most what both sides know of the struct into *out. */
static int find_tool(const wfh_plugin *p, const char *name, wfh_tool *out) {
    for (uint32_t i = 0; i < p->tool_count; i++) {
        const wfh_tool *raw = (const wfh_tool *)(const void *)((const char *)p->tools + (size_t)i * p->tool_size);
        size_t n = raw->struct_size < p->tool_size ? raw->struct_size : p->tool_size;
        if (n > sizeof *out) n = sizeof *out;
        memset(out, 0, sizeof *out);
        memcpy(out, raw, n);
        if (out->name && strcmp(out->name, name) == 0) return 0;
    }
    return -1;
}

static void serve_call(const wfh_plugin *plugin, uint32_t call_id, unsigned char *payload, size_t len,
                       size_t max_result, int in_call_process) {
    /* u32 attempt, tool NUL, work_dir NUL, args */
    if (len < 6) return;
    uint32_t attempt;
    memcpy(&attempt, payload, 4);
    char *tool = (char *)payload + 4;
    char *end = memchr(tool, 0, len - 4);
    if (!end) return;
    char *work_dir = end + 1;
    char *end2 = memchr(work_dir, 0, len - (size_t)(work_dir - (char *)payload));
    if (!end2) return;
    char *args = end2 + 1;
    size_t args_len = len - (size_t)(args - (char *)payload);
    frame_call_id = call_id;

    /* `cancelled` is not reset here: the host may signal a cancellation right after sending the request, before
     * this point, and that must not be lost. It is reset when the call ends (below); a worker that was asked to
     * cancel is never given another call, so a late signal cannot leak into the next one. */
    wfh_call call = {max_result, 0};
    wfh_tool t;
    unsigned char status = 1;
    if (find_tool(plugin, tool, &t) != 0) {
        host_report_error(&call, "unknown_tool", "the plugin has no tool by this name", 0);
    } else if (t.invoke) {
        wfh_request req = {sizeof(wfh_request), attempt, tool, args, args_len, work_dir};
        status = t.invoke(&host_api, &call, &req) == WFH_OK ? 0 : 1;
    } else if (t.c_signature && t.c_function) {
        jw out = {0};
        char message[512];
        if (typed_call(t.c_signature, t.c_function, args, args_len, &out, message, sizeof message) != 0) {
            host_report_error(&call, "invalid_args", message, 0);
        } else if (out.failed) {
            send_verdict(WFH_VERDICT_OUT_OF_MEMORY, "the result could not be built");
        } else {
            status = host_set_result(&call, out.data, out.len) == 0 ? 0 : 1;
        }
        jw_free(&out);
    } else {
        host_report_error(&call, "no_function", "the tool has no function to call", 0);
    }
    if (call.result_too_large) status = 1; /* ignoring set_result's -1 does not make the call a success */
    fflush(stdout);
    fflush(stderr);
    if (!in_call_process) sandbox_end_leftovers(&sandbox); /* a fork server ends them once the call's process is gone */
    cancelled = 0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    uint64_t maxrss = (uint64_t)ru.ru_maxrss;
    frame_send(WFH_FD_EVENTS, WFH_FRAME_DONE, &status, 1, &maxrss, sizeof maxrss, NULL, 0);
    frame_call_id = 0;
}

/*
 * A fork server's call: a fresh child of the loaded, confined worker runs it (a copy of the address space, so no
 * call sees another's state, at the cost of a fork), and the server then kills what the call left running and
 * reports how the child ended in a 'K' frame: u8 signaled, i32 exit code or signal, u8 core dumped.
 */
static void fork_call(const wfh_plugin *plugin, uint32_t call_id, unsigned char *payload, size_t len,
                      size_t max_result) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        call_process = 0;
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        serve_call(plugin, call_id, payload, len, max_result, 1);
        _exit(0);
    }
    frame_call_id = call_id;
    unsigned char kind = 0, core = 0;
    int32_t code = 0;
    if (pid < 0) {
        char message[128];
        snprintf(message, sizeof message, "the fork server could not fork the call: %s", strerror(errno));
        send_verdict(WFH_VERDICT_FORK_FAILED, message);
        code = 71;
    } else {
        call_process = pid;
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        call_process = 0;
        if (WIFSIGNALED(status)) { kind = 1; code = WTERMSIG(status); core = WCOREDUMP(status) ? 1 : 0; }
        else code = WEXITSTATUS(status);
        sandbox_end_leftovers(&sandbox);
    }
    cancelled = 0;
    unsigned char frame[6] = {kind, 0, 0, 0, 0, core};
    memcpy(frame + 1, &code, 4);
    frame_send(WFH_FD_EVENTS, WFH_FRAME_CALL_ENDED, frame, sizeof frame, NULL, 0, NULL, 0);
    frame_call_id = 0;
}

int run_serve(const char *display_path, const struct sandbox_spec *spec, unsigned long max_result, int fork_calls) {
    char message[1024];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_cancel;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (sandbox_apply(spec, &sandbox, message, sizeof message) != 0) {
        send_load_failure("sandbox_failed", message);
        return 71;
    }
    const char *kind = NULL;
    void *handle = load_plugin(WFH_FD_PLUGIN, spec->plugin_path, display_path, &kind, message, sizeof message);
    if (!handle) {
        send_load_failure(kind, message);
        return 0;
    }
    void *sym = dlsym(handle, WFH_ENTRY_SYMBOL);
    wfh_plugin_entry_fn entry;
    const wfh_plugin *raw = NULL;
    if (sym) {
        memcpy(&entry, &sym, sizeof entry);
        raw = entry();
    }
    if (!raw || raw->struct_size < offsetof(wfh_plugin, tools) + sizeof raw->tools || raw->abi_major != WFH_ABI_MAJOR) {
        send_load_failure("bad_descriptor", "the plugin's descriptor is missing or incompatible; run "
                                            "`wfhost plugins validate` on it");
        return 0;
    }
    wfh_plugin plugin;
    memset(&plugin, 0, sizeof plugin);
    memcpy(&plugin, raw, raw->struct_size < sizeof plugin ? raw->struct_size : sizeof plugin);
    close(WFH_FD_PLUGIN);

    jw w = {0};
    jw_lit(&w, "{");
    jw_key(&w, "pid", 1); jw_int(&w, (long long)getpid());
    sandbox_status_json(&w, spec, &sandbox);
    jw_lit(&w, "}");
    frame_send(WFH_FD_EVENTS, WFH_FRAME_READY, w.data, w.len, NULL, 0, NULL, 0);
    jw_free(&w);

    for (;;) {
        unsigned char *payload = NULL;
        size_t len = 0;
        uint32_t call_id = 0;
        int type = frame_recv(WFH_FD_REQUESTS, &payload, &len, &call_id, (size_t)1 << 30);
        if (type <= 0) break; /* the host closed the channel: done */
        if (type == WFH_FRAME_CALL && fork_calls) fork_call(&plugin, call_id, payload, len, max_result);
        else if (type == WFH_FRAME_CALL) serve_call(&plugin, call_id, payload, len, max_result, 0);
        free(payload);
    }
    return 0;
}
