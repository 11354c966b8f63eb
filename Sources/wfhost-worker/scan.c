#define _GNU_SOURCE
#include "sandbox.h"
#include "wfh_json_writer.h"
#include "worker.h"
#include "wfhost/plugin.h"
#include <dlfcn.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Upper bounds that keep a corrupt descriptor from making the report unbounded. */
#define MAX_TOOLS 4096
/* One more than reaches the sandbox, so that the registry can refuse a plugin that declares too many. */
#define MAX_PATHS (WFH_SANDBOX_MAX_PATHS + 1)
#define MAX_EXAMPLES 64

static void emit_failure(jw *w, const char *kind, const char *message) {
    jw_lit(w, "{");
    jw_key(w, "ok", 1); jw_lit(w, "false");
    jw_key(w, "kind", 0); jw_str(w, kind);
    jw_key(w, "message", 0); jw_str(w, message);
    jw_lit(w, "}");
}

static void emit_paths(jw *w, const char *const *paths) {
    jw_lit(w, "[");
    for (int i = 0; paths && paths[i] && i < MAX_PATHS; i++) {
        if (i) jw_lit(w, ",");
        jw_str(w, paths[i]);
    }
    jw_lit(w, "]");
}

/* Copies a plugin-owned struct of `theirs` bytes into a zeroed local of `ours` bytes: never read past theirs. */
static void copy_struct(void *dst, size_t ours, const void *src, size_t theirs) {
    memset(dst, 0, ours);
    memcpy(dst, src, theirs < ours ? theirs : ours);
}

/* A tool's examples (since 1.2): each entry copied within its own struct_size and the declared stride. */
static void emit_examples(jw *w, const wfh_tool *t) {
    jw_key(w, "example_count", 0); jw_int(w, t->example_count);
    jw_key(w, "example_size", 0); jw_int(w, t->example_size);
    jw_key(w, "examples", 0);
    jw_lit(w, "[");
    size_t v12 = offsetof(wfh_example, expected_json) + sizeof t->examples->expected_json;
    uint32_t count = t->examples && t->example_size >= v12 ? t->example_count : 0;
    if (count > MAX_EXAMPLES) count = MAX_EXAMPLES;
    for (uint32_t i = 0; i < count; i++) {
        const wfh_example *raw =
            (const wfh_example *)(const void *)((const char *)t->examples + (size_t)i * t->example_size);
        wfh_example e;
        copy_struct(&e, sizeof e, raw, raw->struct_size < t->example_size ? raw->struct_size : t->example_size);
        if (i) jw_lit(w, ",");
        jw_lit(w, "{");
        jw_key(w, "struct_size", 1); jw_int(w, raw->struct_size);
        jw_key(w, "description", 0); jw_str(w, e.description);
        jw_key(w, "args", 0); jw_str(w, e.args_json);
        jw_key(w, "expected", 0); jw_str(w, e.expected_json);
        jw_lit(w, "}");
    }
    jw_lit(w, "]");
}

static void emit_tool(jw *w, const wfh_tool *raw, uint32_t stride) {
    wfh_tool t;
    uint32_t declared = raw->struct_size;
    size_t avail = declared < stride ? declared : stride;
    copy_struct(&t, sizeof t, raw, avail);
    jw_lit(w, "{");
    jw_key(w, "struct_size", 1); jw_int(w, declared);
    jw_key(w, "name", 0); jw_str(w, t.name);
    jw_key(w, "title", 0); jw_str(w, t.title);
    jw_key(w, "description", 0); jw_str(w, t.description);
    jw_key(w, "input_schema", 0); jw_str(w, t.input_schema);
    jw_key(w, "output_schema", 0); jw_str(w, t.output_schema);
    jw_key(w, "flags", 0); jw_int(w, t.flags);
    jw_key(w, "has_invoke", 0); jw_lit(w, t.invoke ? "true" : "false");
    jw_key(w, "c_signature", 0); jw_str(w, t.c_signature);
    jw_key(w, "has_c_function", 0); jw_lit(w, t.c_function ? "true" : "false");
    jw_key(w, "capabilities", 0);
    if (t.capabilities) {
        wfh_capabilities c;
        copy_struct(&c, sizeof c, t.capabilities, t.capabilities->struct_size);
        jw_lit(w, "{");
        jw_key(w, "network", 1); jw_lit(w, c.network ? "true" : "false");
        jw_key(w, "read_paths", 0); emit_paths(w, c.read_paths);
        jw_key(w, "write_paths", 0); emit_paths(w, c.write_paths);
        jw_lit(w, "}");
    } else {
        jw_lit(w, "null");
    }
    emit_examples(w, &t);
    jw_lit(w, "}");
}

static void emit_descriptor(jw *w, const wfh_plugin *raw) {
    char message[512];
    if (raw->struct_size < offsetof(wfh_plugin, abi_minor) + sizeof raw->abi_minor) {
        snprintf(message, sizeof message, "the descriptor's struct_size (%u) is too small to hold an ABI version",
                 raw->struct_size);
        emit_failure(w, "bad_descriptor", message);
        return;
    }
    if (raw->abi_major != WFH_ABI_MAJOR) {
        jw_lit(w, "{");
        jw_key(w, "ok", 1); jw_lit(w, "false");
        jw_key(w, "kind", 0); jw_str(w, "abi_mismatch");
        snprintf(message, sizeof message, "plugin ABI %u.%u, host ABI %d.%d", raw->abi_major, raw->abi_minor,
                 WFH_ABI_MAJOR, WFH_ABI_MINOR);
        jw_key(w, "message", 0); jw_str(w, message);
        jw_key(w, "abi_major", 0); jw_int(w, raw->abi_major);
        jw_key(w, "abi_minor", 0); jw_int(w, raw->abi_minor);
        jw_lit(w, "}");
        return;
    }
    size_t v1_size = offsetof(wfh_plugin, tools) + sizeof raw->tools;
    if (raw->struct_size < v1_size) {
        snprintf(message, sizeof message,
                 "the descriptor's struct_size is %u bytes, smaller than ABI %d.0's %zu: it was not built with "
                 "WFH_PLUGIN_DEFINE or sets struct_size wrongly", raw->struct_size, WFH_ABI_MAJOR, v1_size);
        emit_failure(w, "bad_descriptor", message);
        return;
    }
    wfh_plugin p;
    copy_struct(&p, sizeof p, raw, raw->struct_size);
    size_t tool_v1 = offsetof(wfh_tool, capabilities) + sizeof p.tools->capabilities;
    if (p.tool_count > 0 && (p.tools == NULL || p.tool_size < tool_v1)) {
        snprintf(message, sizeof message,
                 p.tools == NULL ? "the descriptor declares %u tools but its tool table is NULL"
                                 : "the descriptor's tool_size (%u) is smaller than ABI 1.0's wfh_tool",
                 p.tools == NULL ? p.tool_count : p.tool_size);
        emit_failure(w, "bad_descriptor", message);
        return;
    }
    jw_lit(w, "{");
    jw_key(w, "ok", 1); jw_lit(w, "true");
    jw_key(w, "struct_size", 0); jw_int(w, raw->struct_size);
    jw_key(w, "abi_major", 0); jw_int(w, p.abi_major);
    jw_key(w, "abi_minor", 0); jw_int(w, p.abi_minor);
    jw_key(w, "name", 0); jw_str(w, p.name);
    jw_key(w, "version", 0); jw_str(w, p.version);
    jw_key(w, "description", 0); jw_str(w, p.description);
    jw_key(w, "license", 0); jw_str(w, p.license);
    jw_key(w, "author", 0); jw_str(w, p.author);
    jw_key(w, "homepage", 0); jw_str(w, p.homepage);
    jw_key(w, "tool_count", 0); jw_int(w, p.tool_count);
    jw_key(w, "tool_size", 0); jw_int(w, p.tool_size);
    jw_key(w, "tools_null", 0); jw_lit(w, p.tools ? "false" : "true");
    /* No tools but a table: WFH_PLUGIN_DEFINE given a pointer counts sizeof(pointer) / sizeof(wfh_tool) = 0.
     * Report the first entry's struct_size when the table lies inside a loaded object (dladdr), so it is
     * readable; the validator compares it with tool_size. */
    Dl_info info;
    if (p.tool_count == 0 && p.tools && dladdr(p.tools, &info) != 0 && info.dli_fname) {
        jw_key(w, "first_tool_struct_size", 0); jw_int(w, p.tools->struct_size);
    }
    jw_key(w, "tools", 0);
    jw_lit(w, "[");
    uint32_t count = p.tool_count < MAX_TOOLS ? p.tool_count : MAX_TOOLS;
    for (uint32_t i = 0; i < count; i++) {
        if (i) jw_lit(w, ",");
        emit_tool(w, (const wfh_tool *)(const void *)((const char *)p.tools + (size_t)i * p.tool_size), p.tool_size);
    }
    jw_lit(w, "]}");
}

/*
 * A C++-mangled entry symbol ("_Z24wfhost_plugin_descriptorv", the function defined in C++ without extern "C")
 * in the dynamic symbol table of the plugin open at fd; copies its name into out and returns 0, else -1.
 * Reads the section headers from the file: the loaded image keeps no symbol count.
 */
static int find_mangled_entry(int fd, char *out, size_t out_size) {
    Elf64_Ehdr h;
    if (pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h || h.e_shentsize != sizeof(Elf64_Shdr) || h.e_shnum == 0 ||
        h.e_shnum > 4096)
        return -1;
    int found = -1;
    for (unsigned i = 0; i < h.e_shnum && found != 0; i++) {
        Elf64_Shdr sym, str;
        if (pread(fd, &sym, sizeof sym, (off_t)(h.e_shoff + (Elf64_Off)i * sizeof sym)) != (ssize_t)sizeof sym) break;
        if (sym.sh_type != SHT_DYNSYM || sym.sh_entsize != sizeof(Elf64_Sym) || sym.sh_link >= h.e_shnum) continue;
        if (pread(fd, &str, sizeof str, (off_t)(h.e_shoff + (Elf64_Off)sym.sh_link * sizeof str)) != (ssize_t)sizeof str)
            break;
        if (str.sh_size == 0 || str.sh_size > (16u << 20) || sym.sh_size > (64u << 20)) break;
        char *names = malloc(str.sh_size + 1);
        Elf64_Sym *syms = malloc(sym.sh_size);
        if (names && syms && pread(fd, names, str.sh_size, (off_t)str.sh_offset) == (ssize_t)str.sh_size &&
            pread(fd, syms, sym.sh_size, (off_t)sym.sh_offset) == (ssize_t)sym.sh_size) {
            names[str.sh_size] = '\0';
            for (size_t k = 0; k < sym.sh_size / sizeof *syms; k++) {
                if (syms[k].st_name >= str.sh_size || syms[k].st_shndx == SHN_UNDEF) continue;
                const char *name = names + syms[k].st_name;
                if (strncmp(name, "_Z", 2) == 0 && strstr(name, WFH_ENTRY_SYMBOL)) {
                    snprintf(out, out_size, "%s", name);
                    found = 0;
                    break;
                }
            }
        }
        free(names);
        free(syms);
    }
    return found;
}

int run_scan(const char *display_path, const sandbox_spec *requested) {
    jw w = {0};
    const char *kind = NULL;
    char message[2048];
    /* The scanner runs plugin constructors: the same sandbox as a call, with nothing writable and no network. */
    sandbox_spec spec = *requested;
    spec.network = 0;
    spec.work_dir = NULL;
    spec.write_count = 0;
    if (spec.mem_mb == 0) spec.mem_mb = 1024;
    if (spec.max_files == 0) spec.max_files = 256;
    sandbox_status status;
    void *handle = NULL;
    if (chdir("/") != 0 || sandbox_apply(&spec, &status, message, sizeof message) != 0) {
        emit_failure(&w, "sandbox_failed", message);
    } else if (!(handle = load_plugin(WFH_FD_PLUGIN, spec.plugin_path, display_path, &kind, message, sizeof message))) {
        emit_failure(&w, kind, message);
    } else {
        dlerror();
        void *sym = dlsym(handle, WFH_ENTRY_SYMBOL);
        char mangled[256];
        if (!sym && find_mangled_entry(WFH_FD_PLUGIN, mangled, sizeof mangled) == 0) {
            /* The message is the symbol itself: the host words the finding. */
            emit_failure(&w, "mangled_entry_symbol", mangled);
        } else if (!sym) {
            emit_failure(&w, "missing_entry_symbol",
                         "the shared object does not export '" WFH_ENTRY_SYMBOL "'");
        } else {
            wfh_plugin_entry_fn entry;
            memcpy(&entry, &sym, sizeof entry);
            const wfh_plugin *desc = entry();
            if (!desc) emit_failure(&w, "bad_descriptor", WFH_ENTRY_SYMBOL "() returned NULL");
            else emit_descriptor(&w, desc);
        }
    }
    if (w.failed) return 70;
    int rc = write_all(WFH_FD_EVENTS, w.data, w.len) == 0 ? 0 : 74;
    jw_free(&w);
    return rc;
}

int run_probe(const sandbox_spec *requested) {
    sandbox_spec spec = *requested;
    sandbox_status status;
    char message[1024];
    jw w = {0};
    if (chdir("/") != 0 || sandbox_apply(&spec, &status, message, sizeof message) != 0) {
        emit_failure(&w, "sandbox_failed", message);
    } else {
        jw_lit(&w, "{");
        jw_key(&w, "ok", 1); jw_lit(&w, "true");
        sandbox_status_json(&w, &spec, &status);
        jw_lit(&w, "}");
    }
    if (w.failed) return 70;
    int rc = write_all(WFH_FD_EVENTS, w.data, w.len) == 0 ? 0 : 74;
    jw_free(&w);
    return rc;
}
