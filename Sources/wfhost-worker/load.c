#define _GNU_SOURCE
#include "worker.h"
#include <dlfcn.h>
#include <elf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#define HOST_ARCH "x86_64"
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#define HOST_ARCH "aarch64"
#else
#define HOST_MACHINE EM_NONE
#define HOST_ARCH "this architecture"
#endif

static const char *machine_name(unsigned m) {
    switch (m) {
    case EM_X86_64: return "x86_64";
    case EM_AARCH64: return "aarch64";
    case EM_386: return "i386";
    case EM_ARM: return "arm";
    case EM_RISCV: return "riscv";
    case EM_PPC64: return "ppc64";
    case EM_S390: return "s390";
    default: return "another architecture";
    }
}

int elf_check(int fd, const char **kind, char *message, unsigned long message_size) {
    Elf64_Ehdr h;
    ssize_t n = pread(fd, &h, sizeof h, 0);
    if (n < 4 || memcmp(h.e_ident, ELFMAG, SELFMAG) != 0) {
        *kind = "not_elf";
        snprintf(message, message_size, "not an ELF shared object (%s)",
                 n < 4 ? "the file is shorter than an ELF header" : "it does not start with the ELF magic bytes");
        return -1;
    }
    if ((size_t)n < sizeof h || h.e_ident[EI_CLASS] != ELFCLASS64) {
        *kind = "wrong_architecture";
        snprintf(message, message_size, "a 32-bit ELF file; this host loads 64-bit %s plugins only", HOST_ARCH);
        return -1;
    }
    if (HOST_MACHINE != EM_NONE && h.e_machine != HOST_MACHINE) {
        *kind = "wrong_architecture";
        snprintf(message, message_size, "built for %s, but this host is %s", machine_name(h.e_machine), HOST_ARCH);
        return -1;
    }
    if (h.e_type != ET_DYN) {
        *kind = "not_shared_object";
        snprintf(message, message_size, "an ELF %s, not a shared object",
                 h.e_type == ET_EXEC ? "executable" : h.e_type == ET_REL ? "object file (.o)" : "file");
        return -1;
    }
    /* A position-independent executable is ET_DYN too; it has an interpreter (PT_INTERP). */
    for (unsigned i = 0; i < h.e_phnum && i < 512; i++) {
        Elf64_Phdr ph;
        if (pread(fd, &ph, sizeof ph, (off_t)(h.e_phoff + (Elf64_Off)i * h.e_phentsize)) != (ssize_t)sizeof ph) break;
        if (ph.p_type == PT_INTERP) {
            *kind = "not_shared_object";
            snprintf(message, message_size, "an executable program, not a shared object");
            return -1;
        }
    }
    return 0;
}

/* Replaces every occurrence of `from` in text with `to`, in place within size. */
static void replace_all(char *text, size_t size, const char *from, const char *to) {
    char out[2048];
    size_t o = 0, flen = strlen(from), tlen = strlen(to);
    const char *p = text;
    while (*p && o + 1 < sizeof out) {
        if (flen && strncmp(p, from, flen) == 0 && o + tlen < sizeof out) {
            memcpy(out + o, to, tlen);
            o += tlen;
            p += flen;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    snprintf(text, size, "%s", out);
}

void *load_plugin(int fd, const char *display_path, const char **kind, char *message, unsigned long message_size) {
    if (elf_check(fd, kind, message, message_size) != 0) return NULL;
    char proc_path[64];
    snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
    /* RTLD_NODELETE: plugins are never unloaded (Swift plugins keep runtime metadata pointing into them). */
    void *handle = dlopen(proc_path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!handle) {
        const char *err = dlerror();
        snprintf(message, message_size, "%s", err ? err : "dlopen failed");
        replace_all(message, message_size, proc_path, display_path);
        *kind = strstr(message, "cannot open shared object file") ? "missing_dependency"
              : strstr(message, "undefined symbol") ? "undefined_symbol"
              : "load_failed";
        return NULL;
    }
    return handle;
}
