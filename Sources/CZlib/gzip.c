#include "CZlib.h"
#include <zlib.h>

/* zlib's gzip wrapper: windowBits 15 plus 16. */
static const int gzip_window_bits = 15 + 16;

size_t floe_gzip_bound(size_t length) {
    /* deflateBound's figure for zlib's own wrapper, plus gzip's larger header and trailer. */
    return length + (length >> 12) + (length >> 14) + (length >> 25) + 13 + 18;
}

long floe_gzip(const uint8_t *input, size_t length, uint8_t *output, size_t capacity) {
    z_stream stream = {0};
    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzip_window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return -1;
    }
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)length;
    stream.next_out = output;
    stream.avail_out = (uInt)capacity;
    int status = deflate(&stream, Z_FINISH);
    long written = (long)stream.total_out;
    deflateEnd(&stream);
    return status == Z_STREAM_END ? written : -1;
}
