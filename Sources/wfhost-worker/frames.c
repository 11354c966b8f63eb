#include "frames.h"
#include "wfh_json_writer.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

int frame_send(int fd, char type, const void *a, size_t alen, const void *b, size_t blen, const void *c, size_t clen) {
    uint64_t total = 1 + (uint64_t)alen + blen + clen;
    if (total > UINT32_MAX) return -1;
    unsigned char header[5];
    uint32_t n = (uint32_t)total;
    header[0] = (unsigned char)n; header[1] = (unsigned char)(n >> 8);
    header[2] = (unsigned char)(n >> 16); header[3] = (unsigned char)(n >> 24);
    header[4] = (unsigned char)type;
    if (write_all(fd, header, 5) != 0) return -1;
    if (alen && write_all(fd, a, alen) != 0) return -1;
    if (blen && write_all(fd, b, blen) != 0) return -1;
    if (clen && write_all(fd, c, clen) != 0) return -1;
    return 0;
}

static int read_exact(int fd, void *buf, size_t len) {
    unsigned char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return got == 0 && n == 0 ? 0 : -1;
        got += (size_t)n;
    }
    return 1;
}

int frame_recv(int fd, unsigned char **payload, size_t *len, size_t max_len) {
    unsigned char header[5];
    int r = read_exact(fd, header, 5);
    if (r <= 0) return r;
    uint32_t n = (uint32_t)header[0] | (uint32_t)header[1] << 8 | (uint32_t)header[2] << 16 | (uint32_t)header[3] << 24;
    if (n < 1 || n - 1 > max_len) return -1;
    *len = n - 1;
    *payload = malloc(*len + 1);
    if (!*payload) return -1;
    if (*len && read_exact(fd, *payload, *len) != 1) { free(*payload); return -1; }
    (*payload)[*len] = 0;
    return header[4];
}
