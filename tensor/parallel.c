/*
 * parallel.c — one knob for the two thread pools a process has.
 *
 * Our own kernels run on OpenMP and matrix products on OpenBLAS, which keeps
 * a pool of its own; setting only one of them would leave the other
 * oversubscribing the cores, so torch.set_num_threads sets both.
 */
#include "tensor/tensor.h"

#include <cblas.h>
#include <omp.h>

void parallel_set_num_threads(int n)
{
    if (n < 1)
        n = 1;
    omp_set_num_threads(n);
    openblas_set_num_threads(n);
}

int parallel_get_num_threads(void)
{
    return omp_get_max_threads();
}
