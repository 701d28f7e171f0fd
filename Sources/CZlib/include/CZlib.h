#ifndef FLOE_CZLIB_H
#define FLOE_CZLIB_H

#include <stddef.h>
#include <stdint.h>

/// The most bytes gzip-compressing `length` bytes can take.
size_t floe_gzip_bound(size_t length);

/// gzip-compresses `length` bytes of `input` into `output` (room for `capacity` bytes, at least
/// `floe_gzip_bound(length)`). Returns the compressed length, or -1 when zlib fails.
long floe_gzip(const uint8_t *input, size_t length, uint8_t *output, size_t capacity);

#endif
