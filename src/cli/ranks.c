/* ranks.c — launcher detection and the MPI communicator's start (ranks.h). */
#include "ranks.h"

#include <stdlib.h>

#ifdef RNNSCOPE_MPI
#include "comm_mpi.h"
#endif

int ranks_launched(const char **source)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "SLURM_STEP_NUM_TASKS"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        char *end;
        long n = v ? strtol(v, &end, 10) : 0;
        if (v && *v && !*end && n > 1) {
            if (source)
                *source = vars[i];
            return n > 1 << 20 ? 1 << 20 : (int)n;
        }
    }
    if (source)
        *source = NULL;
    return 1;
}

int ranks_start(Comm **comm, Err *err)
{
    *comm = NULL;
    const char *source;
    int n = ranks_launched(&source);
    if (n <= 1)
        return 0;
#ifdef RNNSCOPE_MPI
    return comm_mpi_init(NULL, NULL, comm, err);
#else
    return err_set(err, ERR_INPUT,
                   "started as one of %d processes (%s) but this rnnscope was built without MPI; rebuild with Open "
                   "MPI (Debian: libopenmpi-dev, then make) or run a single process", n, source);
#endif
}

void ranks_end(Comm *comm, int failed, int status)
{
#ifdef RNNSCOPE_MPI
    if (comm)
        comm_mpi_end(comm, failed, status);
#else
    (void)comm, (void)failed, (void)status;
#endif
}
