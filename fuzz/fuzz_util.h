/* fuzz_util.h — shared by the libFuzzer targets in fuzz/: the entry point's
 * prototype (the build uses -Wmissing-prototypes) and a per-process temporary
 * file for readers that only take a path.
 *
 * The temporary file lives in /dev/shm when it exists (no disk I/O per
 * execution), else in $TMPDIR or /tmp, and is removed at exit. Not for
 * anything but the fuzz targets.
 */
#ifndef RNNSCOPE_FUZZ_UTIL_H
#define RNNSCOPE_FUZZ_UTIL_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char fuzz_tmp_path[512];

__attribute__((unused)) static void fuzz_tmp_remove(void)
{
    if (fuzz_tmp_path[0])
        unlink(fuzz_tmp_path);
}

/* The path of this process's temporary file, holding exactly data[0..size). */
__attribute__((unused)) static const char *fuzz_tmp_write(const uint8_t *data, size_t size, const char *suffix)
{
    if (!fuzz_tmp_path[0]) {
        struct stat st;
        const char *dir = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0
                              ? "/dev/shm"
                              : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        snprintf(fuzz_tmp_path, sizeof fuzz_tmp_path, "%s/rnnscope-fuzz-%ld%s", dir, (long)getpid(), suffix);
        atexit(fuzz_tmp_remove);
    }
    int fd = open(fuzz_tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        perror(fuzz_tmp_path);
        abort();
    }
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) {
            perror(fuzz_tmp_path);
            abort();
        }
        done += (size_t)w;
    }
    close(fd);
    return fuzz_tmp_path;
}

/* Inputs of the safetensors-based targets: the first byte picks how the rest
 * is taken. Even: the file as it is. Odd: the 8-byte header length is first
 * recomputed to end just after the JSON header's top-level object (found by a
 * string-aware brace match), so mutations that grow or shrink the header, and
 * dictionary words, still reach the header's consumers instead of failing the
 * length check. Returns the bytes to write (*tmp, to free, when rewritten). */
__attribute__((unused)) static const uint8_t *fuzz_st_input(const uint8_t *data, size_t size, size_t *n,
                                                            uint8_t **tmp)
{
    *tmp = NULL;
    if (size == 0) {
        *n = 0;
        return data;
    }
    *n = size - 1;
    if (!(data[0] & 1) || size - 1 < 9)
        return data + 1;
    uint8_t *b = malloc(size - 1);
    memcpy(b, data + 1, size - 1);
    size_t len = size - 1, i = 8;
    while (i < len && b[i] != '{')
        i++;
    int depth = 0, in_str = 0;
    for (; i < len; i++) {
        uint8_t c = b[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            i++;
            break;
        }
    }
    uint64_t h = (uint64_t)(i > len ? len : i) - 8;
    for (int k = 0; k < 8; k++)
        b[k] = (uint8_t)(h >> (8 * k));
    *tmp = b;
    return b;
}

#endif
