/*
 * wfhost plugin SDK — the C ABI between wfhost and the plugins it runs.
 *
 * A plugin is a shared object that exports one function, `wfhost_plugin_descriptor`, returning a pointer to a
 * constant `wfh_plugin` descriptor. The descriptor names the plugin and lists its tools. wfhost never loads a
 * plugin into its own process: it scans it in a child process, and calls tools in supervised worker processes.
 *
 * Versioning rules (read these before changing anything in this file):
 *  - WFH_ABI_MAJOR changes only when an existing field or function changes meaning or position. A host rejects
 *    a plugin whose major differs from its own, with a message naming both versions.
 *  - Every struct that crosses the boundary starts with `uint32_t struct_size`, set to `sizeof` the struct as the
 *    side that owns it was compiled. Structs only ever grow at the end. A reader MUST NOT read past
 *    `struct_size`; fields beyond it are treated as zero / NULL. This lets a newer host load an older plugin of
 *    the same major, and an older host read what it knows of a newer plugin.
 *  - Additions are marked "Since 1.N" and bump WFH_ABI_MINOR.
 *
 * Memory rule: the host owns all memory that crosses the boundary. The plugin never frees what the host gave it
 * and never hands the host memory to free: results, log lines, progress and errors leave through host callbacks
 * that copy their arguments before returning.
 *
 * Threading: a worker process calls one tool at a time on one thread. Host callbacks may only be called from the
 * thread that runs the tool function, and only while that function has not returned, except
 * `is_cancelled`, which any thread may call during the call.
 *
 * This header is C99 and C++ compatible and has no dependency beyond <stddef.h> and <stdint.h>.
 */
#ifndef WFHOST_PLUGIN_H
#define WFHOST_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** ABI major version. A host loads only plugins built with the same major. */
#define WFH_ABI_MAJOR 1
/**
 * ABI minor version: bumped when fields or host functions are appended, or a default changes meaning.
 * Since 1.1: a tool that declares no read paths sees the system directories and its work directory only (1.0:
 * the whole file system), and a declared path may name an argument, `${arg:NAME}` (see wfh_capabilities).
 * Since 1.2: a tool may declare examples (`wfh_example`, appended to wfh_tool), which `wfhost plugins test` runs.
 */
#define WFH_ABI_MINOR 2

/** Marks the entry symbol as exported from the shared object. */
#if defined(_WIN32)
#define WFH_EXPORT __declspec(dllexport)
#else
#define WFH_EXPORT __attribute__((visibility("default")))
#endif

/** C linkage for the entry symbol when a plugin is written in C++ (the DEFINE macro expands in user code). */
#ifdef __cplusplus
#define WFH_EXTERN_C extern "C"
#else
#define WFH_EXTERN_C
#endif

/** The name of the one symbol every plugin exports (see `wfh_plugin_entry_fn`). */
#define WFH_ENTRY_SYMBOL "wfhost_plugin_descriptor"

/** Return codes of a tool function. Values are fixed forever; retired ones stay reserved. */
typedef enum wfh_status {
    WFH_OK = 0,     /**< The tool succeeded and reported its result with `set_result` (or has none: `{}`). */
    WFH_FAILED = 1  /**< The tool failed; it SHOULD have called `report_error` (else a generic error is recorded). */
} wfh_status;

/** Log levels for `wfh_host.log`. */
typedef enum wfh_log_level {
    WFH_LOG_DEBUG = 0,
    WFH_LOG_INFO = 1,
    WFH_LOG_WARNING = 2,
    WFH_LOG_ERROR = 3
} wfh_log_level;

/** Tool flags (bit set in `wfh_tool.flags`). */
enum {
    WFH_TOOL_IDEMPOTENT = 1u << 0,  /**< Calling twice with the same arguments has the effect of calling once. */
    WFH_TOOL_SIDE_EFFECTS = 1u << 1 /**< The tool changes something outside its result (files, network, ...). */
};

/** Opaque per-call handle. Valid only during the tool call it was passed to. */
typedef struct wfh_call wfh_call;

/**
 * Functions the host provides to a tool during a call. Owned by the host; valid during the call only.
 * `struct_size` is the host's `sizeof(wfh_host)`: a plugin built against a newer SDK MUST check it before
 * calling a function appended after 1.0 (the `wfh_host_has` macro does this). The helpers below do it for you.
 */
typedef struct wfh_host {
    uint32_t struct_size; /**< sizeof(wfh_host) as the host was compiled. */
    uint32_t reserved;    /**< Zero. */
    /**
     * Sets the call's result: `json` is `len` bytes of UTF-8 JSON (any JSON value; an object is usual).
     * The host copies the bytes before returning. Calling it again replaces the result.
     * Returns 0, or -1 when the result exceeds the call's result-size limit (the call then fails as `protocol`).
     */
    int (*set_result)(wfh_call *call, const char *json, size_t len);
    /** Emits one log line (`len` bytes of UTF-8, no trailing newline needed). Copied before returning. */
    void (*log)(wfh_call *call, wfh_log_level level, const char *message, size_t len);
    /**
     * Reports progress: `fraction` in [0, 1] (values outside are clamped) and an optional NUL-terminated message
     * (NULL for none). Copied before returning.
     */
    void (*progress)(wfh_call *call, double fraction, const char *message);
    /**
     * Reports the error the tool is failing with: `code` a short NUL-terminated machine-readable identifier
     * (`not_found`, `bad_gateway`, ...), `message` a NUL-terminated sentence for a user, `retryable` non-zero when
     * calling again may succeed. The tool then returns WFH_FAILED. Copied before returning.
     */
    void (*report_error)(wfh_call *call, const char *code, const char *message, int retryable);
    /**
     * Returns non-zero once the host has asked the call to stop (cancellation or timeout). A long-running tool
     * SHOULD check it regularly and return WFH_FAILED soon after. Thread-safe.
     */
    int (*is_cancelled)(wfh_call *call);
    /* Append new host functions here, each marked "Since 1.N". */
} wfh_host;

/** True when `host` (a `const wfh_host *`) provides the function `field`. */
#define wfh_host_has(host, field) \
    ((host) != NULL && (size_t)(host)->struct_size >= offsetof(wfh_host, field) + sizeof((host)->field) && \
     (host)->field != NULL)

/**
 * What a tool receives for one call. Owned by the host; valid during the call only; the tool MUST NOT modify
 * or free it.
 */
typedef struct wfh_request {
    uint32_t struct_size;   /**< sizeof(wfh_request) as the host was compiled. */
    uint32_t attempt;       /**< 1 for the first attempt of this call, 2 for the first retry, ... */
    const char *tool;       /**< The tool's name, NUL-terminated. */
    const char *args_json;  /**< The arguments: a JSON object, validated against the input schema, defaults applied. */
    size_t args_len;        /**< Length of `args_json` in bytes (it is also NUL-terminated). */
    const char *work_dir;   /**< The session's work directory, also the call's current directory: one per session
                                 for its whole life, shared by all its stages and kept across pause, resume,
                                 `retry --stage` and checkpoint restore, so a file one stage writes there is
                                 there for later stages; removed by `wfhost cleanup` with the session. A
                                 `wfhost call` gets a fresh one, removed when the call ends. */
} wfh_request;

/**
 * A tool function. Called in a worker process, on one thread, at most one call at a time per process.
 * It MUST NOT keep `host`, `call` or `request` after returning. Returns WFH_OK or WFH_FAILED.
 */
typedef wfh_status (*wfh_tool_fn)(const wfh_host *host, wfh_call *call, const wfh_request *request);

/**
 * What a tool declares it needs. The worker enforces it (README, "The sandbox"): a tool sees the system
 * directories (/usr, /etc, ... read-only), the directories on PATH, its plugin's directory and its `work_dir`;
 * besides those, only its declared paths exist for it. It writes only in its `work_dir` and its write paths, and
 * uses no network without `network`. Since 1.1 a tool that declares no read paths sees nothing else (1.0: the
 * whole file system).
 * Arrays are NULL-terminated lists of absolute paths (NULL for none). `/` means everything, except what the
 * sandbox always hides (the state directory, /etc/shadow, /etc/gshadow, credential stores such as ~/.ssh,
 * ~/.aws, ~/.kube, ~/.docker, ~/.gnupg, ~/.netrc), which need their own exact path. `${work_dir}` and `~` are
 * expanded, and `${arg:NAME}` (since 1.1) is the path given in the string argument NAME of each call (relative
 * to the work directory; a writable one that does not exist yet grants its parent directory).
 */
typedef struct wfh_capabilities {
    uint32_t struct_size;              /**< sizeof(wfh_capabilities) as the plugin was compiled. */
    uint32_t network;                  /**< Non-zero when the tool needs network access. */
    const char *const *read_paths;     /**< Paths the tool reads. */
    const char *const *write_paths;    /**< Paths the tool writes (beneath). */
} wfh_capabilities;

/**
 * One example of a tool's use (since 1.2): arguments, and what the result must contain. `wfhost plugins test`
 * calls the tool with `args_json` exactly as `wfhost call` would, checks the result against the output schema
 * and then against `expected_json`; `wfhost plugins show` prints the examples.
 * The match is a subset match: an expected object's members must all be in the result (the result may have more),
 * each matching in turn; an expected array must have the result's length, element by element; other values must
 * be equal (numbers compare exactly: 1 equals 1.0).
 */
typedef struct wfh_example {
    uint32_t struct_size;      /**< sizeof(wfh_example) as the plugin was compiled; equals wfh_tool.example_size. */
    uint32_t reserved;         /**< Zero. */
    const char *description;   /**< What the example shows, one line; may be NULL. */
    const char *args_json;     /**< The arguments: a JSON object valid under the tool's input schema; required. */
    const char *expected_json; /**< JSON the result must contain (see above); NULL: any successful result. */
} wfh_example;

/**
 * One tool. Lives in a constant array the descriptor points to; never freed.
 * `invoke` or the typed pair (`c_signature`, `c_function`) must be set; `invoke` wins when both are.
 */
typedef struct wfh_tool {
    uint32_t struct_size;          /**< sizeof(wfh_tool) as the plugin was compiled; equals wfh_plugin.tool_size. */
    uint32_t flags;                /**< WFH_TOOL_* bits. */
    const char *name;              /**< [a-z][a-z0-9_]*, unique within the plugin. */
    const char *title;             /**< A short human title ("Echo a message"); may be NULL. */
    const char *description;       /**< One or more sentences for users; required, non-empty. */
    const char *input_schema;      /**< JSON Schema (draft 2020-12 subset) text for the arguments; required. */
    const char *output_schema;     /**< JSON Schema text for the result; NULL when not declared. */
    wfh_tool_fn invoke;            /**< The tool function; NULL for a typed C tool. */
    /**
     * Typed C signature, for a plain C function called through libffi, e.g. "f64 (f64 x, f64 y)" or
     * "str (str text, i64 count)". Types: void (result only), bool, i32, i64, u32, u64, f32, f64, str
     * (`const char *`, NUL-terminated UTF-8; a returned str is copied by the host and never freed).
     * Parameters are taken from the argument object by name; the result is `{"result": value}`.
     * NULL when the tool uses `invoke`.
     */
    const char *c_signature;
    void (*c_function)(void);      /**< The function described by `c_signature`. */
    const wfh_capabilities *capabilities; /**< NULL: the defaults described at wfh_capabilities. */
    /* Since 1.2 */
    const wfh_example *examples;   /**< `example_count` examples, `example_size` bytes apart; NULL for none. */
    uint32_t example_count;        /**< Number of entries in `examples` (the scanner reads at most 64). */
    uint32_t example_size;         /**< sizeof(wfh_example) as compiled: the stride of `examples` in bytes. */
    /* Append new fields here, each marked "Since 1.N". */
} wfh_tool;

/** The plugin descriptor. Constant; lives as long as the shared object is loaded; never freed. */
typedef struct wfh_plugin {
    uint32_t struct_size;     /**< sizeof(wfh_plugin) as the plugin was compiled. */
    uint16_t abi_major;       /**< WFH_ABI_MAJOR as the plugin was compiled. */
    uint16_t abi_minor;       /**< WFH_ABI_MINOR as the plugin was compiled. */
    const char *name;         /**< [a-z][a-z0-9_]*, unique on the plugin path. */
    const char *version;      /**< Semantic version of the plugin ("1.2.0"). */
    const char *description;  /**< What the plugin offers; required, non-empty. */
    const char *license;      /**< SPDX identifier ("MIT", "Apache-2.0"); may be NULL. */
    const char *author;       /**< Author or organisation; author or homepage should be set. */
    const char *homepage;     /**< URL; may be NULL. */
    uint32_t tool_count;      /**< Number of entries in `tools`. */
    uint32_t tool_size;       /**< sizeof(wfh_tool) as compiled: the stride of `tools` in bytes. */
    const wfh_tool *tools;    /**< `tool_count` tools, `tool_size` bytes apart. */
} wfh_plugin;

/** The entry symbol's type. It MUST return the same pointer every time and MUST NOT return NULL. */
typedef const wfh_plugin *(*wfh_plugin_entry_fn)(void);

/* ---- Helpers for tool authors ------------------------------------------------------------------------------- */

/** Sets a NUL-terminated JSON text as the result. Returns 0 or -1 (see `set_result`). */
static inline int wfh_result(const wfh_host *host, wfh_call *call, const char *json) {
    size_t n = 0;
    while (json[n] != '\0') n++;
    return host->set_result(call, json, n);
}

/** Logs a NUL-terminated line at `level`. */
static inline void wfh_log(const wfh_host *host, wfh_call *call, wfh_log_level level, const char *message) {
    size_t n = 0;
    while (message[n] != '\0') n++;
    host->log(call, level, message, n);
}

/** Reports an error and returns WFH_FAILED, so a tool can `return wfh_fail(host, call, "code", "msg", 0);`. */
static inline wfh_status wfh_fail(const wfh_host *host, wfh_call *call, const char *code, const char *message,
                                  int retryable) {
    host->report_error(call, code, message, retryable);
    return WFH_FAILED;
}

/**
 * A tool table entry for a JSON tool: name, title, description, input schema, output schema (or NULL), flags,
 * function. Usable from C and C++ (positional, in field order).
 */
#define WFH_TOOL(name, title, description, input_schema, output_schema, flags, fn) \
    { (uint32_t)sizeof(wfh_tool), (uint32_t)(flags), (name), (title), (description), (input_schema), \
      (output_schema), (fn), NULL, NULL, NULL, NULL, 0, 0 }

/** A tool table entry for a plain C function with a typed signature (see `wfh_tool.c_signature`). */
#define WFH_TYPED_TOOL(name, title, description, input_schema, flags, signature, fn) \
    { (uint32_t)sizeof(wfh_tool), (uint32_t)(flags), (name), (title), (description), (input_schema), NULL, NULL, \
      (signature), (void (*)(void))(fn), NULL, NULL, 0, 0 }

/** One entry of an examples array (since 1.2): a description (or NULL), the arguments and the expected result. */
#define WFH_EXAMPLE(description, args_json, expected_json) \
    { (uint32_t)sizeof(wfh_example), 0, (description), (args_json), (expected_json) }

/**
 * The `examples`, `example_count` and `example_size` fields for an array of WFH_EXAMPLE entries (since 1.2), for
 * the last three positions of a tool entry written out in full, as WFH_TOOL_WITH_EXAMPLES does.
 */
#define WFH_EXAMPLES(examples) \
    (examples), (uint32_t)(sizeof(examples) / sizeof((examples)[0])), (uint32_t)sizeof(wfh_example)

/** WFH_TOOL with examples (since 1.2): `examples` is an array (not a pointer) of WFH_EXAMPLE entries. */
#define WFH_TOOL_WITH_EXAMPLES(name, title, description, input_schema, output_schema, flags, fn, examples) \
    { (uint32_t)sizeof(wfh_tool), (uint32_t)(flags), (name), (title), (description), (input_schema), \
      (output_schema), (fn), NULL, NULL, NULL, WFH_EXAMPLES(examples) }

/** WFH_TYPED_TOOL with examples (since 1.2). */
#define WFH_TYPED_TOOL_WITH_EXAMPLES(name, title, description, input_schema, flags, signature, fn, examples) \
    { (uint32_t)sizeof(wfh_tool), (uint32_t)(flags), (name), (title), (description), (input_schema), NULL, NULL, \
      (signature), (void (*)(void))(fn), NULL, WFH_EXAMPLES(examples) }

/**
 * Defines the descriptor and the exported entry symbol. `tools` must be an array (not a pointer) of wfh_tool.
 * Use once per shared object, at file scope.
 */
#define WFH_PLUGIN_DEFINE(name, version, description, license, author, homepage, tools) \
    static const wfh_plugin wfh_plugin_descriptor_ = { \
        (uint32_t)sizeof(wfh_plugin), WFH_ABI_MAJOR, WFH_ABI_MINOR, (name), (version), (description), (license), \
        (author), (homepage), (uint32_t)(sizeof(tools) / sizeof((tools)[0])), (uint32_t)sizeof(wfh_tool), (tools) }; \
    WFH_EXTERN_C WFH_EXPORT const wfh_plugin *wfhost_plugin_descriptor(void); \
    WFH_EXTERN_C WFH_EXPORT const wfh_plugin *wfhost_plugin_descriptor(void) { return &wfh_plugin_descriptor_; }

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* WFHOST_PLUGIN_H */
