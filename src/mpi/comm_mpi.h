/* comm_mpi.h — the Open MPI communicator (comm.h), built only when Open MPI's
 * development files are found (make MPI=0 leaves it out). This header does
 * not include mpi.h, so its callers need no MPI flags.
 */
#ifndef RNNSCOPE_COMM_MPI_H
#define RNNSCOPE_COMM_MPI_H

#include "comm.h"
#include "err.h"

/* MPI_Init (main thread only calls MPI: MPI_THREAD_FUNNELED) and a Comm over
 * MPI_COMM_WORLD whose errors return (instead of aborting) so the caller
 * can print one line. ERR_RUNTIME when MPI cannot start. */
int comm_mpi_init(int *argc, char ***argv, Comm **out, Err *err);
/* MPI_Finalize after a clean end; after a failure (failed = 1) MPI_Abort, so
 * the launcher stops the ranks still waiting on this one. */
void comm_mpi_end(Comm *c, int failed, int status);

#endif
