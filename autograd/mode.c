/*
 * mode.c — grad mode: whether ops record graph nodes.  One flag per thread,
 * as in PyTorch, so a kernel thread never changes what the caller records.
 */
#include "autograd/autograd.h"

static _Thread_local bool grad_disabled;

bool ag_grad_enabled(void)
{
    return !grad_disabled;
}

void ag_set_grad_enabled(bool on)
{
    grad_disabled = !on;
}
