/*
 * fuzz_table.c — libFuzzer harness for the Lua-table-to-tensor constructor
 * (torch.tensor, vm/bind_create.c) in an embedded Lua state.
 *
 * The input is Lua source given to torch.tensor as its arguments, run by
 * fuzz/table_sandbox.lua (which the regression tests share): the fuzzer
 * writes nested tables, numbers of every kind, booleans, holes, cycles,
 * metatables whose __index or __gc runs code while the constructor walks the
 * data, and options tables; an input that closes the call early runs
 * statements first (`1) local a = {} a[1] = a T(a`).  A count hook
 * bounds the instructions and a capped allocator the Lua heap, so a loop or a
 * huge string ends in a Lua error like any other.  Lua errors are normal
 * outcomes; sanitizer reports and crashes are findings.
 */
#include <stdio.h>
#include <stdlib.h>

#include <lauxlib.h>
#include <lualib.h>

#include "fuzz/fuzz.h"
#include "vm/luagrad.h"

#define HEAP_LIMIT ((size_t)256 << 20)
#define INSTRUCTION_LIMIT 200000

static lua_State *L;
static size_t heap_bytes;

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        heap_bytes -= old;
        return NULL;
    }
    if (nsize > old && heap_bytes + (nsize - old) > HEAP_LIMIT)
        return NULL;
    void *p = realloc(ptr, nsize);
    if (p)
        heap_bytes = heap_bytes - old + nsize;
    return p;
}

static void count_hook(lua_State *S, lua_Debug *ar)
{
    (void)ar;
    luaL_error(S, "instruction limit");
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    L = lua_newstate(capped_alloc, NULL);
    luaL_openlibs(L);
    lua_getglobal(L, "package");
    lua_pushstring(L, LUAGRAD_ROOT "/lib/?.lua;" LUAGRAD_ROOT "/lib/?/init.lua");
    lua_setfield(L, -2, "path");
    lua_pop(L, 1);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_torch);
    lua_setfield(L, -2, "torch");
    lua_pop(L, 1);
    if (luaL_dofile(L, LUAGRAD_ROOT "/fuzz/table_sandbox.lua") != LUA_OK) {
        fprintf(stderr, "fuzz_table: %s\n", lua_tostring(L, -1));
        abort();
    }
    lua_setfield(L, LUA_REGISTRYINDEX, "fuzz.runner");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lua_getfield(L, LUA_REGISTRYINDEX, "fuzz.runner");
    lua_pushlstring(L, (const char *)data, size);
    lua_sethook(L, count_hook, LUA_MASKCOUNT, INSTRUCTION_LIMIT);
    lua_pcall(L, 1, 0, 0);
    lua_sethook(L, NULL, 0, 0);
    lua_settop(L, 0);
    /* A step per input keeps the heap level without a full collection's cost. */
    lua_gc(L, LUA_GCSTEP, 0);
    return 0;
}
