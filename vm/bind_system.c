/*
 * bind_system.c — the process around the kernels: torch.set_num_threads /
 * get_num_threads (one setting for the OpenMP kernels and OpenBLAS together,
 * so the two never oversubscribe), torch.clock, the wall clock that
 * benchmarks need (os.clock counts CPU time of all threads), and the terminal
 * questions the progress bar, plots and images ask (torch.isatty,
 * torch.terminal_size): Lua's io library cannot answer them.
 */
#include <stdio.h>
#include <sys/ioctl.h>
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

/* The descriptor behind argument 1: an io file handle, or a number (default 1, stdout). */
static int check_fd(lua_State *L)
{
    if (lua_isnoneornil(L, 1)) return STDOUT_FILENO;
    if (lua_isinteger(L, 1)) {
        lua_Integer fd = lua_tointeger(L, 1);
        luaL_argcheck(L, fd >= 0 && fd <= 1 << 20, 1, "file descriptor out of range");
        return (int)fd;
    }
    luaL_Stream *stream = luaL_testudata(L, 1, LUA_FILEHANDLE);
    luaL_argexpected(L, stream != NULL, 1, "file handle or descriptor");
    luaL_argcheck(L, stream->closef != NULL, 1, "attempt to use a closed file");
    return fileno(stream->f);
}

static int l_isatty(lua_State *L)
{
    lua_pushboolean(L, isatty(check_fd(L)));
    return 1;
}

static int l_terminal_size(lua_State *L)
{
    struct winsize ws;
    if (ioctl(check_fd(L), TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0) return 0;
    lua_pushinteger(L, ws.ws_col);
    lua_pushinteger(L, ws.ws_row);
    return 2;
}

static const BindFn system_functions[] = {
    {"set_num_threads", l_set_num_threads, "torch.set_num_threads(n)",
     "Sets the number of threads used by the kernels and by OpenBLAS.",
     "local before = torch.get_num_threads()\ntorch.set_num_threads(1)\n"
     "print(torch.get_num_threads())\n"
     "torch.set_num_threads(before)"},
    {"get_num_threads", l_get_num_threads, "torch.get_num_threads()",
     "Returns the number of threads the kernels and OpenBLAS use.",
     "print(torch.get_num_threads())"},
    {"clock", l_clock, "torch.clock()",
     "Seconds on a monotonic wall clock, for timing (os.clock counts CPU time of every thread).",
     "local t0 = torch.clock()\nlocal y = torch.ones(200, 200):matmul(torch.ones(200, 200))\n"
     "local seconds = torch.clock() - t0  -- a few milliseconds, more or less each run\n"
     "print(seconds > 0)"},
    {"isatty", l_isatty, "torch.isatty([file])",
     "True when file (an io handle such as io.stderr, or a descriptor number; default io.stdout) is a terminal.",
     "print(torch.isatty(io.stdout))  -- false when the output goes to a pipe or a file"},
    {"terminal_size", l_terminal_size, "torch.terminal_size([file])",
     "The columns and rows of the terminal behind file (default io.stdout), or nothing when it is not one.",
     "local columns, rows = torch.terminal_size()\nprint(columns or \"not a terminal\", rows)"},
    {NULL, NULL, NULL, NULL},
};

void bind_system(lua_State *L)
{
    bind_functions(L, -1, system_functions);
}
