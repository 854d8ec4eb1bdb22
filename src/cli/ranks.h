/* ranks.h — whether this process is one of several started by mpirun or
 * srun, and the communicator it trains with (comm.h).
 *
 * The launcher's environment says so before MPI starts: Open MPI sets
 * OMPI_COMM_WORLD_SIZE, PMIx launchers PMIX_RANK with OMPI/PMI sizes, MPICH
 * and Intel MPI PMI_SIZE, SLURM's srun SLURM_STEP_NUM_TASKS. A binary built
 * without MPI that finds itself one of several refuses, instead of training
 * N independent copies that overwrite each other's files.
 */
#ifndef RNNSCOPE_RANKS_H
#define RNNSCOPE_RANKS_H

#include "comm.h"
#include "err.h"

/* The number of processes the launcher started (1 when none did), and the
 * variable that said so in *source (may be NULL). */
int ranks_launched(const char **source);

/* For `train`: NULL in *comm on one process; else MPI started and its
 * communicator. ERR_INPUT when this binary has no MPI but was launched as
 * one of several; ERR_RUNTIME when MPI cannot start. */
int ranks_start(Comm **comm, Err *err);
/* After training: MPI_Finalize (or MPI_Abort when failed) on a communicator
 * from ranks_start; nothing for NULL. */
void ranks_end(Comm *comm, int failed, int status);

#endif
