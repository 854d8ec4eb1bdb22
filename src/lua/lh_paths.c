/* lh_paths.c — which files a sandboxed script may open (see lh_sandbox.c).
 *
 * Every path is resolved first (realpath of the file, or of its folder when
 * the file does not exist yet), so ".." and symbolic links cannot lead
 * elsewhere. Then:
 *   never      /proc, /sys and /dev, for reading or writing (the host's memory
 *              and devices);
 *   reading    anything else the user's account may read;
 *   writing    only under the run folders: ./runs, the state directory
 *              (paths.h), the temporary folder ($TMPDIR, else /tmp), the
 *              folders given to the script as arguments, and exactly the
 *              files given to it as arguments.
 * --unsafe lifts all of it. The check and the open are separate calls, so a
 * path swapped in between by another process is not caught: the sandbox keeps
 * scripts from writing where they should not, it is not a boundary against a
 * concurrent attacker on the same account.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lh_internal.h"
#include "paths.h"

/* A folder still to be made (a save makes it: paths_make_parent): its
 * deepest existing ancestor resolved and the missing part appended, which
 * may not hold "." or ".." (they would climb out of what was resolved). */
static int resolve_missing_dir(const char *dir, char *out)
{
    if (errno != ENOENT)
        return -1;
    char head[PATH_MAX];
    snprintf(head, sizeof head, "%s", dir);
    const char *rest;
    for (;;) {
        char *slash = strrchr(head, '/');
        if (!slash) { /* a relative path: its first part is missing too */
            if (!realpath(".", out))
                return -1;
            rest = dir;
            break;
        }
        if (slash == head) {
            snprintf(out, PATH_MAX, "/");
            rest = dir + 1;
            break;
        }
        *slash = '\0';
        if (realpath(head, out)) {
            rest = dir + (slash - head) + 1;
            break;
        }
        struct stat sb;
        if (errno != ENOENT)
            return -1;
        if (lstat(head, &sb) == 0) { /* a dangling symbolic link: where it leads is not known */
            errno = ELOOP;
            return -1;
        }
    }
    char part[PATH_MAX];
    snprintf(part, sizeof part, "%s", rest);
    for (char *save = NULL, *p = strtok_r(part, "/", &save); p; p = strtok_r(NULL, "/", &save))
        if (!strcmp(p, ".") || !strcmp(p, "..")) {
            errno = EINVAL;
            return -1;
        }
    size_t n = strlen(out);
    if (snprintf(out + n, PATH_MAX - n, "%s%s", strcmp(out, "/") ? "/" : "", rest) >= (int)(PATH_MAX - n)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* path made absolute and canonical into out (PATH_MAX); 0, or -1 with errno. */
static int resolve(const char *path, char *out)
{
    if (realpath(path, out))
        return 0;
    if (errno != ENOENT)
        return -1;
    struct stat sb;
    if (lstat(path, &sb) == 0) { /* a dangling symbolic link: where it leads is not known */
        errno = ELOOP;
        return -1;
    }
    /* a file still to be made: its folder must exist */
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
        errno = EINVAL;
        return -1;
    }
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    char canon[PATH_MAX];
    if (!realpath(dir, canon) && resolve_missing_dir(dir, canon) != 0)
        return -1;
    if (snprintf(out, PATH_MAX, "%s/%s", strcmp(canon, "/") ? canon : "", base) >= PATH_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* p is root or inside it. */
static int under(const char *p, const char *root)
{
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/')
        return 1;
    return strncmp(p, root, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

static void add(LhPaths *ps, int dir, const char *canon)
{
    char ***list = dir ? &ps->dirs : &ps->files;
    int *n = dir ? &ps->n_dirs : &ps->n_files;
    *list = xrealloc(*list, sizeof(char *) * (size_t)(*n + 1));
    (*list)[(*n)++] = xstrdup(canon);
}

/* A folder that may not exist yet (./runs, the state directory): its
 * deepest existing ancestor resolved, the rest appended. */
static void add_dir_to_be(LhPaths *ps, const char *path)
{
    char canon[PATH_MAX];
    if (resolve(path, canon) == 0)
        add(ps, 1, canon);
    else if (path[0] == '/')
        add(ps, 1, path);
}

void lh_paths_init(LhPaths *ps)
{
    memset(ps, 0, sizeof *ps);
    char buf[PATH_MAX];
    add_dir_to_be(ps, "runs");
    paths_state_dir(buf, sizeof buf);
    add_dir_to_be(ps, buf);
    const char *tmp = getenv("TMPDIR");
    add_dir_to_be(ps, tmp && tmp[0] == '/' ? tmp : "/tmp");
}

void lh_paths_allow_args(LhPaths *ps, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        char canon[PATH_MAX];
        struct stat sb;
        if (resolve(argv[i], canon) != 0)
            continue; /* not a path */
        int is_dir = stat(canon, &sb) == 0 && S_ISDIR(sb.st_mode);
        if (strcmp(canon, "/") == 0)
            continue; /* "/" as an argument would make the whole disk writable */
        add(ps, is_dir, canon);
    }
}

void lh_paths_free(LhPaths *ps)
{
    for (int i = 0; i < ps->n_dirs; i++)
        free(ps->dirs[i]);
    for (int i = 0; i < ps->n_files; i++)
        free(ps->files[i]);
    free(ps->dirs);
    free(ps->files);
    memset(ps, 0, sizeof *ps);
}

int lh_paths_check(const LhPaths *ps, const char *path, int write, char *why, size_t cap)
{
    char canon[PATH_MAX];
    if (resolve(path, canon) != 0) {
        snprintf(why, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    static const char *const never[] = {"/proc", "/sys", "/dev"};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        if (under(canon, never[i])) {
            snprintf(why, cap, "%s: the sandbox never opens %s (run with --unsafe to allow it)", path, never[i]);
            return -1;
        }
    if (!write)
        return 0;
    for (int i = 0; i < ps->n_dirs; i++)
        if (under(canon, ps->dirs[i]))
            return 0;
    for (int i = 0; i < ps->n_files; i++)
        if (!strcmp(canon, ps->files[i]))
            return 0;
    snprintf(why, cap, "%s: a sandboxed script writes only under runs/, the state directory, the temporary "
             "folder and the paths given to it (run with --unsafe to allow it)", path);
    return -1;
}
