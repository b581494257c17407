/*
 * check.h — the smallest test harness that does the job: CHECK counts a pass
 * or prints the failing expression with its place; check_summary() prints the
 * line `N passed, M failed` that tests/run.sh adds up, and is the exit status.
 */
#ifndef LUAGRAD_CHECK_H
#define LUAGRAD_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) {                                                              \
            check_passed++;                                                      \
        } else {                                                                 \
            check_failed++;                                                      \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);      \
        }                                                                        \
    } while (0)

/* |a - b| <= atol + rtol * |b|, the rule of torch.allclose. */
#define CHECK_CLOSE(a, b, tol)                                                   \
    do {                                                                         \
        double check_a_ = (a), check_b_ = (b);                                   \
        if (fabs(check_a_ - check_b_) <= (tol) * (1 + fabs(check_b_))) {        \
            check_passed++;                                                      \
        } else {                                                                 \
            check_failed++;                                                      \
            fprintf(stderr, "FAIL %s:%d: %s = %.9g, expected %.9g\n", __FILE__,  \
                    __LINE__, #a, check_a_, check_b_);                           \
        }                                                                        \
    } while (0)

/* Expect a failure (NULL or -1 result) whose message contains `needle`. */
#define CHECK_ERROR(failed, needle)                                              \
    do {                                                                         \
        int check_f_ = (failed);                                                 \
        CHECK(check_f_ && strstr(tensor_error(), (needle)) != NULL);             \
        if (check_f_ && !strstr(tensor_error(), (needle)))                       \
            fprintf(stderr, "     message was: %s\n", tensor_error());           \
    } while (0)

static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed > 0;
}

#endif
