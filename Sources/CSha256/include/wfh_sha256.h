/* SHA-256 (FIPS 180-4), small and dependency-free: used for plugin content hashes and the `checksum` tool. */
#ifndef WFH_SHA256_H
#define WFH_SHA256_H
#include <stddef.h>
#include <stdint.h>

typedef struct wfh_sha256 {
    uint32_t state[8];
    uint64_t length;      /* bytes processed */
    uint8_t block[64];
    size_t block_len;
} wfh_sha256;

void wfh_sha256_init(wfh_sha256 *ctx);
void wfh_sha256_update(wfh_sha256 *ctx, const void *data, size_t len);
void wfh_sha256_final(wfh_sha256 *ctx, uint8_t digest[32]);
/* Hashes the whole file open at fd, reading from offset 0 with pread (the fd's offset is unchanged).
 * Returns 0, or -1 with errno set. */
int wfh_sha256_fd(int fd, uint8_t digest[32]);
/* Writes the 64 lowercase hex digits and a NUL into hex. */
void wfh_sha256_hex(const uint8_t digest[32], char hex[65]);

#endif
