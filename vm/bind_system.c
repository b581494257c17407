/*
 * bind_system.c — the process around the kernels: torch.set_num_threads /
 * get_num_threads (one setting for the OpenMP kernels and OpenBLAS together,
 * so the two never oversubscribe) and torch.clock, the wall clock that
 * benchmarks need (os.clock counts CPU time of all threads), and
 * torch.isatty, which tells whether output goes to a terminal (for colour
 * and progress displays that must stay plain when piped).
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "tensor/tensor.h"
#include "vm/bind.h"

static int l_set_num_threads(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 1);
    luaL_argcheck(L, n >= 1 && n <= 1024, 1, "thread count must be between 1 and 1024");
    parallel_set_num_threads((int)n);
    return 0;
}

static int l_get_num_threads(lua_State *L)
{
    lua_pushinteger(L, parallel_get_num_threads());
    return 1;
}

static int l_clock(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec * 1e-9);
    return 1;
}

/* torch.isatty(io.stdout) or torch.isatty(fd) */
static int l_isatty(lua_State *L)
{
    int fd;
    luaL_Stream *stream = luaL_testudata(L, 1, LUA_FILEHANDLE);
    if (stream)
        fd = stream->closef && stream->f ? fileno(stream->f) : -1;
    else
        fd = (int)luaL_checkinteger(L, 1);
    lua_pushboolean(L, fd >= 0 && isatty(fd));
    return 1;
}

static const BindFn system_functions[] = {
    {"set_num_threads", l_set_num_threads, "torch.set_num_threads(n)",
     "Sets the number of threads used by the kernels and by OpenBLAS."},
    {"get_num_threads", l_get_num_threads, "torch.get_num_threads()",
     "Returns the number of threads the kernels and OpenBLAS use."},
    {"isatty", l_isatty, "torch.isatty(file)",
     "Whether a file (io.stdout, io.stderr) or file descriptor number is a terminal."},
    {"clock", l_clock, "torch.clock()",
     "Seconds on a monotonic wall clock, for timing (os.clock counts CPU time of every thread)."},
    {NULL, NULL, NULL, NULL},
};

void bind_system(lua_State *L)
{
    bind_functions(L, -1, system_functions);
}
