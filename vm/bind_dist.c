/*
 * bind_dist.c — the MPI calls behind the dist module (lib/dist.lua),
 * built only when the Makefile finds MPI (LUAGRAD_HAVE_MPI).  They live in
 * torch._mpi; users call dist.*, which checks arguments, handles
 * non-contiguous tensors and the world of one process, and calls these.
 *
 * Each collective works in place on a tensor's storage: the tensor must be
 * contiguous and float32, float64 or int64 (MPI has a datatype for each).
 * Every call asks MPI to return its errors (MPI_ERRORS_RETURN) rather than
 * abort, and turns them into Lua errors naming the dist function.
 *
 * MPI_Finalize is collective in practice (Open MPI's waits for every peer),
 * so a process that fails while a peer waits in a collective must not call
 * it: it would wait forever.  The finalizer that runs when the Lua state
 * closes therefore finalizes only when the host recorded a successful run
 * (registry field "luagrad.exit_ok", set by vm/main.c); otherwise the
 * process exits without it and the launcher (mpirun) stops the whole job.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <mpi.h>

#include "vm/bind_tensor.h"

#define SENTINEL_KEY "luagrad.mpi"

static bool mpi_live(void)
{
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    return initialized && !finalized;
}

/* Raises "fn: MPI error: <MPI's text>" when rc is not MPI_SUCCESS. */
static void check_mpi(lua_State *L, int rc, const char *fn)
{
    if (rc == MPI_SUCCESS)
        return;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS)
        snprintf(text, sizeof text, "error code %d", rc);
    luaL_error(L, "%s: MPI error: %s", fn, text);
}

static void require_live(lua_State *L, const char *fn)
{
    if (!mpi_live())
        luaL_error(L, "%s: MPI is not running (call dist.init() first; it cannot restart after dist.finalize())", fn);
}

static MPI_Datatype mpi_type(lua_State *L, const Tensor *t, const char *fn)
{
    switch (t->dtype) {
    case DTYPE_FLOAT32: return MPI_FLOAT;
    case DTYPE_FLOAT64: return MPI_DOUBLE;
    case DTYPE_INT64: return MPI_INT64_T;
    default:
        luaL_error(L, "%s: expected a float32, float64 or int64 tensor, got %s", fn, dtype_name(t->dtype));
        return MPI_DATATYPE_NULL;
    }
}

/* The tensor at `arg`, checked for a collective: contiguous, a supported
 * dtype, an element count MPI can take; its datatype in *type. */
static Tensor *check_buffer(lua_State *L, int arg, const char *fn, MPI_Datatype *type)
{
    Tensor *t = check_tensor(L, arg);
    *type = mpi_type(L, t, fn);
    if (!tensor_is_contiguous(t))
        luaL_error(L, "%s: the tensor must be contiguous", fn);
    if (tensor_numel(t) > INT_MAX)
        luaL_error(L, "%s: %I elements is more than one MPI call takes (%d)", fn, (lua_Integer)tensor_numel(t),
                   INT_MAX);
    return t;
}

/* Marks t as written (autograd's version counter); a Lua error for an
 * expanded view. */
static void begin_write(lua_State *L, Tensor *t, const char *fn)
{
    if (!tensor_begin_write(fn, t))
        raise_tensor_error_in(L, fn);
}

static MPI_Op check_op(lua_State *L, int arg, const char *fn)
{
    static const char *const names[] = {"sum", "max", "min"};
    const MPI_Op ops[] = {MPI_SUM, MPI_MAX, MPI_MIN};
    const char *name = luaL_checkstring(L, arg);
    for (int i = 0; i < 3; i++)
        if (strcmp(name, names[i]) == 0)
            return ops[i];
    luaL_error(L, "%s: unknown op '%s' (expected sum, max or min)", fn, name);
    return MPI_OP_NULL;
}

static int world_size(void)
{
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
}

/* ---- start and end -------------------------------------------------------- */

static int sentinel_gc(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, "luagrad.exit_ok");
    if (lua_toboolean(L, -1) && mpi_live())
        MPI_Finalize();
    return 0;
}

static int l_init(lua_State *L)
{
    int finalized = 0, initialized = 0;
    MPI_Finalized(&finalized);
    if (finalized)
        return luaL_error(L, "dist.init: MPI was finalized and cannot start again");
    MPI_Initialized(&initialized);
    if (!initialized) {
        /* The kernels' OpenMP threads never call MPI: only this thread does. */
        int provided;
        check_mpi(L, MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided), "dist.init");
        MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
        lua_newuserdatauv(L, 0, 0);
        lua_createtable(L, 0, 1);
        lua_pushcfunction(L, sentinel_gc);
        lua_setfield(L, -2, "__gc");
        lua_setmetatable(L, -2);
        lua_setfield(L, LUA_REGISTRYINDEX, SENTINEL_KEY);
    }
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    lua_pushinteger(L, rank);
    lua_pushinteger(L, world_size());
    return 2;
}

static int l_finalize(lua_State *L)
{
    if (mpi_live())
        check_mpi(L, MPI_Finalize(), "dist.finalize");
    return 0;
}

/* ---- collectives ---------------------------------------------------------- */

static int l_all_reduce(lua_State *L)
{
    const char *fn = "dist.all_reduce";
    MPI_Datatype type;
    Tensor *t = check_buffer(L, 1, fn, &type);
    MPI_Op op = check_op(L, 2, fn);
    require_live(L, fn);
    begin_write(L, t, fn);
    if (tensor_numel(t) > 0)
        check_mpi(L, MPI_Allreduce(MPI_IN_PLACE, tensor_data(t), (int)tensor_numel(t), type, op, MPI_COMM_WORLD), fn);
    return 0;
}

static int l_broadcast(lua_State *L)
{
    const char *fn = "dist.broadcast";
    MPI_Datatype type;
    Tensor *t = check_buffer(L, 1, fn, &type);
    lua_Integer root = luaL_checkinteger(L, 2);
    require_live(L, fn);
    if (root < 0 || root >= world_size())
        return luaL_error(L, "%s: root %d is not a rank (0..%d)", fn, (int)root, world_size() - 1);
    begin_write(L, t, fn);
    if (tensor_numel(t) > 0)
        check_mpi(L, MPI_Bcast(tensor_data(t), (int)tensor_numel(t), type, (int)root, MPI_COMM_WORLD), fn);
    return 0;
}

/* Checks that `out` holds world_size times as many elements as `part`, of its dtype. */
static void check_gathered(lua_State *L, const Tensor *out, const Tensor *part, const char *fn)
{
    if (out->dtype != part->dtype)
        luaL_error(L, "%s: the tensors differ in dtype (%s and %s)", fn, dtype_name(out->dtype),
                   dtype_name(part->dtype));
    if (tensor_numel(out) != tensor_numel(part) * world_size())
        luaL_error(L, "%s: the output has %I elements, expected %I (%I from each of %d processes)", fn,
                   (lua_Integer)tensor_numel(out), (lua_Integer)(tensor_numel(part) * world_size()),
                   (lua_Integer)tensor_numel(part), world_size());
}

static int l_all_gather(lua_State *L)
{
    const char *fn = "dist.all_gather";
    MPI_Datatype type;
    Tensor *out = check_buffer(L, 1, fn, &type);
    Tensor *t = check_buffer(L, 2, fn, &type);
    require_live(L, fn);
    check_gathered(L, out, t, fn);
    begin_write(L, out, fn);
    if (tensor_numel(t) > 0)
        check_mpi(L, MPI_Allgather(tensor_data(t), (int)tensor_numel(t), type, tensor_data(out),
                                   (int)tensor_numel(t), type, MPI_COMM_WORLD), fn);
    return 0;
}

static int l_reduce_scatter(lua_State *L)
{
    const char *fn = "dist.reduce_scatter";
    MPI_Datatype type;
    Tensor *out = check_buffer(L, 1, fn, &type);
    Tensor *in = check_buffer(L, 2, fn, &type);
    MPI_Op op = check_op(L, 3, fn);
    require_live(L, fn);
    check_gathered(L, in, out, fn);
    begin_write(L, out, fn);
    if (tensor_numel(out) > 0)
        check_mpi(L, MPI_Reduce_scatter_block(tensor_data(in), tensor_data(out), (int)tensor_numel(out), type, op,
                                              MPI_COMM_WORLD), fn);
    return 0;
}

static int l_barrier(lua_State *L)
{
    require_live(L, "dist.barrier");
    check_mpi(L, MPI_Barrier(MPI_COMM_WORLD), "dist.barrier");
    return 0;
}

static const BindFn mpi_functions[] = {
    {"init", l_init, "torch._mpi.init()",
     "Starts MPI (once); returns this process's rank and the number of processes."},
    {"finalize", l_finalize, "torch._mpi.finalize()", "Ends MPI (nothing when it is not running)."},
    {"all_reduce", l_all_reduce, "torch._mpi.all_reduce(t, op)",
     "Reduces the contiguous tensor t over every process in place; op is \"sum\", \"max\" or \"min\"."},
    {"broadcast", l_broadcast, "torch._mpi.broadcast(t, root)", "Copies the root's t into every process's t."},
    {"all_gather", l_all_gather, "torch._mpi.all_gather(out, t)",
     "Fills out (world_size x t's elements) with every process's t, in rank order."},
    {"reduce_scatter", l_reduce_scatter, "torch._mpi.reduce_scatter(out, input, op)",
     "Reduces input (world_size x out's elements) over the processes; process r keeps block r in out."},
    {"barrier", l_barrier, "torch._mpi.barrier()", "Waits until every process has called it."},
    {NULL, NULL, NULL, NULL},
};

void bind_dist(lua_State *L)
{
    lua_newtable(L);
    bind_functions(L, -1, mpi_functions);
    lua_setfield(L, -2, "_mpi");
}
