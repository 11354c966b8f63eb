/*
 * The `core` plugin: everyday tools (echo, shell, files, checksums), written against the public SDK only.
 */
#define _GNU_SOURCE
#include "wfhost/plugin.h"
#include "wfh_plugin_support.h"
#include "wfh_sha256.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The largest file read_file returns, and the most output shell keeps per stream. */
#define READ_FILE_LIMIT (8u << 20)
#define SHELL_OUTPUT_LIMIT (4u << 20)

static wfh_status errno_failure(const wfh_host *host, wfh_call *call, const char *what, const char *path) {
    char message[1024];
    snprintf(message, sizeof message, "cannot %s '%s': %s", what, path, strerror(errno));
    const char *code = errno == ENOENT ? "not_found" : errno == EACCES || errno == EPERM ? "permission_denied"
                                                                                        : "io_error";
    return wfh_fail(host, call, code, message, errno == EAGAIN || errno == EINTR);
}

/* ---- echo ---------------------------------------------------------------------------------------------------- */

static wfh_status tool_echo(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    jr_value *args = plugin_parse_args(host, call, req);
    if (!args) return WFH_FAILED;
    const jr_value *m = jr_get(args, "message");
    jw w = {0};
    jw_lit(&w, "{");
    jw_key(&w, "message", 1);
    if (m && m->type == JR_STRING) jw_strn(&w, m->string, m->length); else jw_lit(&w, "\"\"");
    jw_lit(&w, "}");
    jr_free(args);
    return plugin_finish(host, call, &w);
}

/* ---- shell --------------------------------------------------------------------------------------------------- */

/* The most of a failed command's stderr quoted in the failure message: its last lines, within a byte budget. */
#define SHELL_TAIL_LINES 10
#define SHELL_TAIL_BYTES 2048

/* A stream's output up to SHELL_OUTPUT_LIMIT, and its last SHELL_TAIL_BYTES (kept even past the limit). */
typedef struct buffer { char *data; size_t len; size_t dropped; char last[SHELL_TAIL_BYTES]; size_t last_len; } buffer;

static void tail_add(buffer *b, const char *p, size_t n) {
    if (n >= SHELL_TAIL_BYTES) {
        memcpy(b->last, p + n - SHELL_TAIL_BYTES, SHELL_TAIL_BYTES);
        b->last_len = SHELL_TAIL_BYTES;
        return;
    }
    if (b->last_len + n > SHELL_TAIL_BYTES) {
        size_t drop = b->last_len + n - SHELL_TAIL_BYTES;
        memmove(b->last, b->last + drop, b->last_len - drop);
        b->last_len -= drop;
    }
    memcpy(b->last + b->last_len, p, n);
    b->last_len += n;
}

static void buffer_add(buffer *b, const char *p, size_t n) {
    tail_add(b, p, n);
    if (b->len + n > SHELL_OUTPUT_LIMIT) {
        size_t keep = SHELL_OUTPUT_LIMIT > b->len ? SHELL_OUTPUT_LIMIT - b->len : 0;
        b->dropped += n - keep;
        n = keep;
    }
    if (n == 0) return;
    char *d = realloc(b->data, b->len + n);
    if (!d) { b->dropped += n; return; }
    b->data = d;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Builds the child's environment: ours, with the `env` object's members set (a null member unsets). */
static char **build_env(const jr_value *env) {
    size_t n = 0;
    while (environ[n]) n++;
    size_t extra = env && env->type == JR_OBJECT ? env->length : 0;
    char **out = calloc(n + extra + 1, sizeof *out);
    if (!out) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int overridden = 0;
        for (size_t j = 0; j < extra; j++) {
            size_t kl = strlen(env->keys[j]);
            if (strncmp(environ[i], env->keys[j], kl) == 0 && environ[i][kl] == '=') overridden = 1;
        }
        if (!overridden) out[k++] = strdup(environ[i]);
    }
    for (size_t j = 0; j < extra; j++) {
        const jr_value *v = env->items[j];
        if (v->type != JR_STRING) continue;
        size_t len = strlen(env->keys[j]) + v->length + 2;
        char *s = malloc(len);
        if (s) snprintf(s, len, "%s=%s", env->keys[j], v->string);
        out[k++] = s;
    }
    out[k] = NULL;
    return out;
}

static void free_strv(char **v) {
    for (size_t i = 0; v && v[i]; i++) free(v[i]);
    free(v);
}

/*
 * Fails the call of a command that exited non-zero or was killed by a signal: code `nonzero_exit`, and a message
 * with the exit code (or signal) and the last lines of its stderr, e.g.
 *   'make' exited with code 2; the last lines of its stderr:
 *   main.c:3: error: expected ';'
 */
static wfh_status fail_nonzero(const wfh_host *host, wfh_call *call, const char *program, int status, const buffer *err) {
    char head[512];
    if (WIFSIGNALED(status))
        snprintf(head, sizeof head, "'%s' was killed by signal %d (%s)", program, WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(head, sizeof head, "'%s' exited with code %d", program, WEXITSTATUS(status));
    /* The tail: the last SHELL_TAIL_LINES lines of what was kept, without the final line break. */
    const char *t = err->last;
    size_t end = err->last_len, begin;
    while (end > 0 && (t[end - 1] == '\n' || t[end - 1] == '\r')) end--;
    size_t lines = 0;
    for (begin = end; begin > 0; begin--) {
        if (t[begin - 1] == '\n' && ++lines == SHELL_TAIL_LINES) break;
    }
    if (begin == 0 && err->last_len == SHELL_TAIL_BYTES && err->len + err->dropped > SHELL_TAIL_BYTES) {
        /* The kept bytes start inside a line: drop that partial line when a whole one follows, and never
         * start inside a UTF-8 sequence. */
        const char *nl = memchr(t, '\n', end);
        if (nl) begin = (size_t)(nl - t) + 1;
        while (begin < end && ((unsigned char)t[begin] & 0xC0) == 0x80) begin++;
    }
    char *message = malloc(sizeof head + 64 + (end - begin));
    if (!message) return wfh_fail(host, call, "nonzero_exit", head, 0);
    if (end > begin)
        sprintf(message, "%s; the last lines of its stderr:\n%.*s", head, (int)(end - begin), t + begin);
    else
        sprintf(message, "%s (it wrote nothing on stderr)", head);
    wfh_status s = wfh_fail(host, call, "nonzero_exit", message, 0);
    free(message);
    return s;
}

static wfh_status tool_shell(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    jr_value *args = plugin_parse_args(host, call, req);
    if (!args) return WFH_FAILED;
    const jr_value *argv_v = jr_get(args, "argv");
    if (!argv_v || argv_v->type != JR_ARRAY || argv_v->length == 0) {
        jr_free(args);
        return wfh_fail(host, call, "invalid_args", "argv must be a non-empty array of strings", 0);
    }
    char **argv = calloc(argv_v->length + 1, sizeof *argv);
    for (size_t i = 0; argv && i < argv_v->length; i++)
        argv[i] = argv_v->items[i]->type == JR_STRING ? argv_v->items[i]->string : (char *)"";
    char **envp = build_env(jr_get(args, "env"));
    const char *cwd = jr_get_string(args, "cwd", NULL);
    const char *stdin_text = jr_get_string(args, "stdin", NULL);
    const jr_value *stdin_v = jr_get(args, "stdin");
    size_t stdin_len = stdin_v && stdin_v->type == JR_STRING ? stdin_v->length : 0;
    double timeout_ms = jr_get_number(args, "timeout_ms", 0);
    int check = jr_get_bool(args, "check", 1);

    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    if (!argv || !envp || pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
        free(argv); free_strv(envp); jr_free(args);
        return wfh_fail(host, call, "io_error", "cannot create pipes for the command", 1);
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    if (cwd) posix_spawn_file_actions_addchdir_np(&fa, cwd);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]); close(out[1]); close(err[1]);
    if (rc != 0) {
        char message[1024];
        snprintf(message, sizeof message, "cannot run '%s'%s%s: %s", argv[0], cwd ? " in " : "", cwd ? cwd : "",
                 strerror(rc));
        close(in[1]); close(out[0]); close(err[0]);
        free(argv); free_strv(envp); jr_free(args);
        return wfh_fail(host, call, rc == ENOENT ? "not_found" : "spawn_failed", message, 0);
    }
    /* Feed stdin while reading both outputs, so that a command that writes before reading cannot deadlock. */
    size_t stdin_off = 0;
    if (!stdin_text || stdin_len == 0) { close(in[1]); in[1] = -1; }
    else fcntl(in[1], F_SETFL, O_NONBLOCK);
    buffer bo = {0}, be = {0};
    long long deadline = timeout_ms > 0 ? now_ms() + (long long)timeout_ms : 0;
    int timed_out = 0, cancelled = 0, open_out = 1, open_err = 1;
    signal(SIGPIPE, SIG_IGN);
    while (open_out || open_err) {
        struct pollfd p[3];
        int n = 0;
        if (open_out) p[n++] = (struct pollfd){out[0], POLLIN, 0};
        if (open_err) p[n++] = (struct pollfd){err[0], POLLIN, 0};
        if (in[1] >= 0) p[n++] = (struct pollfd){in[1], POLLOUT, 0};
        int r = poll(p, (nfds_t)n, 100);
        if (r < 0 && errno != EINTR) break;
        for (int i = 0; i < n && r > 0; i++) {
            if (!p[i].revents) continue;
            if (p[i].fd == in[1]) {
                ssize_t w = write(in[1], stdin_text + stdin_off, stdin_len - stdin_off);
                if (w > 0) stdin_off += (size_t)w;
                if (w < 0 && errno != EAGAIN) stdin_off = stdin_len;
                if (stdin_off >= stdin_len) { close(in[1]); in[1] = -1; }
                continue;
            }
            char chunk[65536];
            ssize_t got = read(p[i].fd, chunk, sizeof chunk);
            if (got > 0) buffer_add(p[i].fd == out[0] ? &bo : &be, chunk, (size_t)got);
            else if (got == 0 || errno != EINTR) {
                if (p[i].fd == out[0]) open_out = 0; else open_err = 0;
            }
        }
        if (!timed_out && deadline && now_ms() >= deadline) { timed_out = 1; kill(pid, SIGKILL); }
        if (!cancelled && host->is_cancelled(call)) { cancelled = 1; kill(pid, SIGKILL); }
    }
    if (in[1] >= 0) close(in[1]);
    close(out[0]); close(err[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    jw w = {0};
    jw_lit(&w, "{");
    jw_key(&w, "exit_code", 1);
    jw_int(&w, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    jw_key(&w, "signal", 0);
    if (WIFSIGNALED(status)) jw_int(&w, WTERMSIG(status)); else jw_lit(&w, "null");
    jw_key(&w, "timed_out", 0); jw_lit(&w, timed_out ? "true" : "false");
    jw_key(&w, "stdout", 0); jw_strn(&w, bo.data ? bo.data : "", bo.len);
    jw_key(&w, "stderr", 0); jw_strn(&w, be.data ? be.data : "", be.len);
    jw_key(&w, "truncated_bytes", 0); jw_int(&w, (long long)(bo.dropped + be.dropped));
    jw_lit(&w, "}");
    free(bo.data);
    if (cancelled) {
        jw_free(&w); free(be.data); free(argv); free_strv(envp); jr_free(args);
        return wfh_fail(host, call, "cancelled", "the command was cancelled", 0);
    }
    if (timed_out) {
        char message[256];
        snprintf(message, sizeof message, "the command did not finish within timeout_ms=%.0f and was killed",
                 timeout_ms);
        jw_free(&w); free(be.data); free(argv); free_strv(envp); jr_free(args);
        return wfh_fail(host, call, "command_timeout", message, 1);
    }
    if (check && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        wfh_status s = fail_nonzero(host, call, argv[0], status, &be);
        jw_free(&w); free(be.data); free(argv); free_strv(envp); jr_free(args);
        return s;
    }
    free(be.data); free(argv); free_strv(envp); jr_free(args);
    return plugin_finish(host, call, &w);
}

/* ---- files --------------------------------------------------------------------------------------------------- */

static wfh_status tool_write_file(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    jr_value *args = plugin_parse_args(host, call, req);
    if (!args) return WFH_FAILED;
    const char *path = jr_get_string(args, "path", "");
    const jr_value *content = jr_get(args, "content");
    int append = jr_get_bool(args, "append", 0);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);
    if (fd < 0) { wfh_status s = errno_failure(host, call, "open", path); jr_free(args); return s; }
    size_t len = content && content->type == JR_STRING ? content->length : 0;
    const char *p = len ? content->string : "";
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { wfh_status s = errno_failure(host, call, "write", path); close(fd); jr_free(args); return s; }
        done += (size_t)n;
    }
    if (close(fd) != 0) { wfh_status s = errno_failure(host, call, "close", path); jr_free(args); return s; }
    jw w = {0};
    jw_lit(&w, "{");
    jw_key(&w, "path", 1); jw_str(&w, path);
    jw_key(&w, "bytes_written", 0); jw_int(&w, (long long)len);
    jw_lit(&w, "}");
    jr_free(args);
    return plugin_finish(host, call, &w);
}

static wfh_status tool_read_file(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    jr_value *args = plugin_parse_args(host, call, req);
    if (!args) return WFH_FAILED;
    const char *path = jr_get_string(args, "path", "");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { wfh_status s = errno_failure(host, call, "open", path); jr_free(args); return s; }
    struct stat st;
    if (fstat(fd, &st) == 0 && (size_t)st.st_size > READ_FILE_LIMIT) {
        char message[1024];
        snprintf(message, sizeof message, "'%s' is %lld bytes; read_file returns files up to %u bytes", path,
                 (long long)st.st_size, READ_FILE_LIMIT);
        close(fd); jr_free(args);
        return wfh_fail(host, call, "file_too_large", message, 0);
    }
    buffer b = {0};
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { wfh_status s = errno_failure(host, call, "read", path); close(fd); free(b.data); jr_free(args); return s; }
        if (n == 0) break;
        buffer_add(&b, chunk, (size_t)n);
    }
    close(fd);
    jw w = {0};
    jw_lit(&w, "{");
    jw_key(&w, "path", 1); jw_str(&w, path);
    jw_key(&w, "content", 0); jw_strn(&w, b.data ? b.data : "", b.len);
    jw_key(&w, "size", 0); jw_int(&w, (long long)b.len);
    jw_lit(&w, "}");
    free(b.data);
    jr_free(args);
    return plugin_finish(host, call, &w);
}

static wfh_status tool_checksum(const wfh_host *host, wfh_call *call, const wfh_request *req) {
    jr_value *args = plugin_parse_args(host, call, req);
    if (!args) return WFH_FAILED;
    const char *path = jr_get_string(args, "path", "");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    uint8_t digest[32];
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || wfh_sha256_fd(fd, digest) != 0) {
        wfh_status s = errno_failure(host, call, "read", path);
        if (fd >= 0) close(fd);
        jr_free(args);
        return s;
    }
    close(fd);
    char hex[65];
    wfh_sha256_hex(digest, hex);
    jw w = {0};
    jw_lit(&w, "{");
    jw_key(&w, "path", 1); jw_str(&w, path);
    jw_key(&w, "sha256", 0); jw_str(&w, hex);
    jw_key(&w, "size", 0); jw_int(&w, (long long)st.st_size);
    jw_lit(&w, "}");
    jr_free(args);
    return plugin_finish(host, call, &w);
}

/* ---- typed C tool (called through libffi by the worker) ------------------------------------------------------ */

static double add(double a, double b) { return a + b; }

/* ---- descriptor ---------------------------------------------------------------------------------------------- */

/* A command may touch anything the user can (except what the sandbox always hides); the file tools get exactly
 * the path of each call (`${arg:path}`, resolved by the host). */
static const char *const any_path[] = {"/", NULL};
static const char *const the_path[] = {"${arg:path}", NULL};
static const wfh_capabilities shell_caps = {sizeof(wfh_capabilities), 1, any_path, any_path};
static const wfh_capabilities read_caps = {sizeof(wfh_capabilities), 0, the_path, NULL};
static const wfh_capabilities write_caps = {sizeof(wfh_capabilities), 0, the_path, the_path};

/* Examples (ABI 1.2): `wfhost plugins test core` runs each in a fresh work directory and checks the result. */
static const wfh_example echo_examples[] = {
    WFH_EXAMPLE("returns the message", "{\"message\":\"hello\"}", "{\"message\":\"hello\"}"),
};
static const wfh_example shell_examples[] = {
    WFH_EXAMPLE("runs a program with an argument vector", "{\"argv\":[\"echo\",\"hi\"]}",
                "{\"exit_code\":0,\"stdout\":\"hi\\n\",\"stderr\":\"\"}"),
    WFH_EXAMPLE("check: false returns a non-zero exit code as data", "{\"argv\":[\"sh\",\"-c\",\"exit 3\"],\"check\":false}",
                "{\"exit_code\":3}"),
};
static const wfh_example write_examples[] = {
    WFH_EXAMPLE("writes a file in the work directory", "{\"path\":\"note.txt\",\"content\":\"hi\"}",
                "{\"bytes_written\":2}"),
};
/* A file every machine has, whose content differs: the output schema is what these two examples check. */
static const wfh_example read_examples[] = {
    WFH_EXAMPLE("reads a text file given by absolute path", "{\"path\":\"/etc/passwd\"}", NULL),
};
static const wfh_example checksum_examples[] = {
    WFH_EXAMPLE("a file's SHA-256 in hexadecimal", "{\"path\":\"/etc/passwd\"}", NULL),
};
static const wfh_example add_examples[] = {
    WFH_EXAMPLE("adds two numbers", "{\"a\":2,\"b\":3}", "{\"result\":5}"),
    WFH_EXAMPLE("fractions and negatives", "{\"a\":-1.5,\"b\":0.25}", "{\"result\":-1.25}"),
};

static const wfh_tool tools[] = {
    WFH_TOOL_WITH_EXAMPLES("echo", "Echo a message", "Returns the message it is given; useful to test workflows and variables.",
             "{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\",\"description\":\"Text to echo\"}},"
             "\"required\":[\"message\"],\"additionalProperties\":false}",
             "{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\"}},\"required\":[\"message\"]}",
             WFH_TOOL_IDEMPOTENT, tool_echo, echo_examples),
    {sizeof(wfh_tool), WFH_TOOL_SIDE_EFFECTS, "shell", "Run a command",
     "Runs a program with an argument vector (never through a shell), optional environment, working directory, "
     "standard input and time limit, and returns its exit code and output. A command that exits non-zero or is "
     "killed by a signal fails the call (code nonzero_exit; the message holds the exit code and the last lines of "
     "its stderr), as a CI step would; with check: false the exit code is returned as data instead.",
     "{\"type\":\"object\",\"properties\":{"
     "\"argv\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"minItems\":1,"
     "\"description\":\"Program and arguments; the program is looked up on PATH\"},"
     "\"env\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}},"
     "\"cwd\":{\"type\":\"string\"},\"stdin\":{\"type\":\"string\"},"
     "\"timeout_ms\":{\"type\":\"integer\",\"minimum\":1},"
     "\"check\":{\"type\":\"boolean\",\"default\":true,"
     "\"description\":\"Fail the call when the command exits non-zero or is killed by a signal (false: return the "
     "exit code as data)\"}},"
     "\"required\":[\"argv\"],\"additionalProperties\":false}",
     "{\"type\":\"object\",\"properties\":{\"exit_code\":{\"type\":\"integer\"},\"stdout\":{\"type\":\"string\"},"
     "\"stderr\":{\"type\":\"string\"}},\"required\":[\"exit_code\",\"stdout\",\"stderr\"]}",
     tool_shell, NULL, NULL, &shell_caps, WFH_EXAMPLES(shell_examples)},
    {sizeof(wfh_tool), WFH_TOOL_SIDE_EFFECTS, "write_file", "Write a file",
     "Writes text to a file, replacing it or appending to it.",
     "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\",\"minLength\":1},"
     "\"content\":{\"type\":\"string\"},\"append\":{\"type\":\"boolean\",\"default\":false}},"
     "\"required\":[\"path\",\"content\"],\"additionalProperties\":false}",
     NULL, tool_write_file, NULL, NULL, &write_caps, WFH_EXAMPLES(write_examples)},
    {sizeof(wfh_tool), WFH_TOOL_IDEMPOTENT, "read_file", "Read a file",
     "Returns the content of a text file (up to 8 MiB).",
     "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\",\"minLength\":1}},"
     "\"required\":[\"path\"],\"additionalProperties\":false}",
     "{\"type\":\"object\",\"properties\":{\"content\":{\"type\":\"string\"}},\"required\":[\"content\"]}",
     tool_read_file, NULL, NULL, &read_caps, WFH_EXAMPLES(read_examples)},
    {sizeof(wfh_tool), WFH_TOOL_IDEMPOTENT, "checksum", "Checksum a file",
     "Returns the SHA-256 digest of a file in hexadecimal, and its size.",
     "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\",\"minLength\":1}},"
     "\"required\":[\"path\"],\"additionalProperties\":false}",
     "{\"type\":\"object\",\"properties\":{\"sha256\":{\"type\":\"string\",\"pattern\":\"^[0-9a-f]{64}$\"}},"
     "\"required\":[\"sha256\"]}",
     tool_checksum, NULL, NULL, &read_caps, WFH_EXAMPLES(checksum_examples)},
    WFH_TYPED_TOOL_WITH_EXAMPLES("add", "Add two numbers",
                   "Returns a + b. A plain C function `double add(double, double)` called through libffi.",
                   "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"},\"b\":{\"type\":\"number\"}},"
                   "\"required\":[\"a\",\"b\"],\"additionalProperties\":false}",
                   WFH_TOOL_IDEMPOTENT, "f64 (f64 a, f64 b)", add, add_examples),
};

WFH_PLUGIN_DEFINE("core", "1.0.0", "Everyday tools: echo, run a command, read and write files, checksums.",
                  "Apache-2.0", "The wfhost authors", "https://github.com/wfhost/wfhost", tools)
