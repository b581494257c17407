/*
 * mode.c — grad mode (whether ops record graph nodes) and anomaly mode
 * (whether backward checks every gradient for NaN and Inf).  One flag each
 * per thread, as in PyTorch, so a kernel thread never changes what the
 * caller records.
 */
#include "autograd/autograd.h"

static _Thread_local bool grad_disabled;
static _Thread_local bool anomaly;

bool ag_grad_enabled(void)
{
    return !grad_disabled;
}

void ag_set_grad_enabled(bool on)
{
    grad_disabled = !on;
}

bool ag_anomaly_enabled(void)
{
    return anomaly;
}

void ag_set_anomaly_enabled(bool on)
{
    anomaly = on;
}
