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

static void fuzz_tmp_remove(void)
{
    if (fuzz_tmp_path[0])
        unlink(fuzz_tmp_path);
}

/* The path of this process's temporary file, holding exactly data[0..size). */
static const char *fuzz_tmp_write(const uint8_t *data, size_t size, const char *suffix)
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

#endif
