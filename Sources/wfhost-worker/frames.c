#include "frames.h"
#include "wfh_json_writer.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

uint32_t frame_call_id;

static void put_u32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); p[2] = (unsigned char)(v >> 16); p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int frame_send(int fd, char type, const void *a, size_t alen, const void *b, size_t blen, const void *c, size_t clen) {
    uint64_t total = WFH_FRAME_HEADER - 4 + (uint64_t)alen + blen + clen;
    if (total > UINT32_MAX) return -1;
    unsigned char header[WFH_FRAME_HEADER];
    put_u32(header, (uint32_t)total);
    header[4] = (unsigned char)type;
    put_u32(header + 5, frame_call_id);
    if (write_all(fd, header, sizeof header) != 0) return -1;
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

int frame_recv(int fd, unsigned char **payload, size_t *len, uint32_t *call_id, size_t max_len) {
    unsigned char header[WFH_FRAME_HEADER];
    int r = read_exact(fd, header, sizeof header);
    if (r <= 0) return r;
    uint32_t n = get_u32(header);
    if (n < WFH_FRAME_HEADER - 4 || n - (WFH_FRAME_HEADER - 4) > max_len) return -1;
    *len = n - (WFH_FRAME_HEADER - 4);
    *call_id = get_u32(header + 5);
    *payload = malloc(*len + 1);
    if (!*payload) return -1;
    if (*len && read_exact(fd, *payload, *len) != 1) { free(*payload); return -1; }
    (*payload)[*len] = 0;
    return header[4];
}
