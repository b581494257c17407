/* sgemm.c — a bare cblas_sgemm of 1024x1024 matrices, the hardware-side
 * reference for luagrad's matmul: prints "sgemm_1024 <seconds>" (best of 5). */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(void)
{
    const int n = 1024;
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n);
    float *c = malloc(sizeof(float) * n * n);
    if (!a || !b || !c)
        return 1;
    for (int i = 0; i < n * n; i++) {
        a[i] = (float)rand() / RAND_MAX;
        b[i] = (float)rand() / RAND_MAX;
        c[i] = 0;
    }
    double best = 1e9;
    for (int round = 0; round < 5; round++) {
        double start = now();
        for (int r = 0; r < 5; r++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
        double t = (now() - start) / 5;
        best = t < best ? t : best;
    }
    printf("sgemm_1024 %.9g\n", best);
    free(a), free(b), free(c);
    return 0;
}
