/*
 * error.c — how the tensor library reports failure without exiting or
 * longjmping.
 *
 * A failing function writes a message into a per-thread buffer and returns
 * NULL or -1; the caller (ultimately the Lua binding) frees its temporaries,
 * then reads tensor_error() and raises.  The buffer is thread-local so an
 * OpenMP worker that fails cannot garble the interpreter thread's message.
 * Interrupts work the same way: a SIGINT handler only sets a flag, and long
 * kernels poll it between chunks of work and fail with "interrupted".
 */
#include "tensor/tensor.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Room for a message that quotes a Lua traceback (autograd's anomaly mode). */
static _Thread_local char error_message[2048];
static _Thread_local unsigned long failures;

volatile sig_atomic_t tensor_interrupt_requested;

const char *tensor_error(void)
{
    return error_message;
}

unsigned long tensor_failure_count(void)
{
    return failures;
}

void *tensor_fail(const char *fmt, ...)
{
    /* Format aside first, so a message may quote tensor_error() itself. */
    char buf[sizeof error_message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    memcpy(error_message, buf, sizeof buf);
    failures++;
    return NULL;
}

bool tensor_check_interrupt(void)
{
    if (!tensor_interrupt_requested)
        return false;
    tensor_interrupt_requested = 0;
    tensor_fail("interrupted");
    return true;
}
