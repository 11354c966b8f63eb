#define _GNU_SOURCE
#include "worker.h"
#include <dlfcn.h>
#include <elf.h>
#include <limits.h>
#include <link.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

/* The device and inode of the file mapped at `addr`, from /proc/self/maps ("start-end perms offset MAJ:MIN inode"). */
static int mapped_identity(const void *addr, unsigned long *dev_major, unsigned long *dev_minor, unsigned long *ino) {
    FILE *f = fopen("/proc/self/maps", "re");
    if (!f) return -1;
    char line[4096];
    int found = -1;
    while (fgets(line, sizeof line, f)) {
        unsigned long start, end, major, minor, inode;
        if (sscanf(line, "%lx-%lx %*s %*s %lx:%lx %lu", &start, &end, &major, &minor, &inode) != 5) continue;
        if ((unsigned long)addr >= start && (unsigned long)addr < end) {
            *dev_major = major; *dev_minor = minor; *ino = inode;
            found = 0;
            break;
        }
    }
    fclose(f);
    return found;
}

/*
 * Loads the plugin by its real path, so that $ORIGIN in its run path names its own directory (bundled
 * dependencies load), and proves that what was mapped is the file the host opened and hashed (fd): the path must
 * name the same device, inode, size and modification time before dlopen, and the mapping dlopen made must be of
 * that same device and inode afterwards. A file replaced in between is refused (its constructors ran, but inside
 * the sandbox).
 */
void *load_plugin(int fd, const char *real, const char *display_path, const char **kind, char *message,
                  unsigned long message_size) {
    if (elf_check(fd, kind, message, message_size) != 0) return NULL;
    struct stat opened, named;
    if (fstat(fd, &opened) != 0 || stat(real, &named) != 0 ||
        opened.st_dev != named.st_dev || opened.st_ino != named.st_ino || opened.st_size != named.st_size ||
        opened.st_mtim.tv_sec != named.st_mtim.tv_sec || opened.st_mtim.tv_nsec != named.st_mtim.tv_nsec) {
        *kind = "replaced";
        snprintf(message, message_size, "%s changed after wfhost opened and hashed it (replaced or rewritten); "
                 "run `wfhost plugins scan` once it is no longer being written", display_path);
        return NULL;
    }
    /* RTLD_NODELETE: plugins are never unloaded (Swift plugins keep runtime metadata pointing into them). */
    void *handle = dlopen(real, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!handle) {
        const char *err = dlerror();
        snprintf(message, message_size, "%s", err ? err : "dlopen failed");
        *kind = strstr(message, "cannot open shared object file") ? "missing_dependency"
              : strstr(message, "undefined symbol") ? "undefined_symbol"
              : "load_failed";
        return NULL;
    }
    struct link_map *map = NULL;
    unsigned long major = 0, minor = 0, ino = 0;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || !map || !map->l_ld ||
        mapped_identity(map->l_ld, &major, &minor, &ino) != 0 ||
        major != major(opened.st_dev) || minor != minor(opened.st_dev) || ino != opened.st_ino) {
        *kind = "replaced";
        snprintf(message, message_size, "%s was replaced while it was being loaded: the mapped file is not the one "
                 "wfhost hashed; run `wfhost plugins scan` once it is no longer being written", display_path);
        return NULL;
    }
    return handle;
}
