/*
 * luagrad.h — what the parts of the executable share: the version, the one
 * call that readies a Lua state (paths, the torch module, the globals), the
 * protected call used by scripts and the REPL alike, and the REPL itself.
 */
#ifndef LUAGRAD_VM_H
#define LUAGRAD_VM_H

#include <lua.h>

#define LUAGRAD_VERSION "0.1.0"

int luaopen_torch(lua_State *L);

/* Calls the function below `narg` arguments on the stack in protected mode
 * with a traceback handler and with Ctrl-C armed to interrupt it. On error the
 * message (with traceback) is left on the stack. */
int vm_docall(lua_State *L, int narg, int nres);

/* Prints the error message on top of the stack to stderr and pops it. */
void vm_report(lua_State *L, const char *progname);

/* Interactive loop on the terminal; returns when the user ends the session. */
void repl_run(lua_State *L);

#endif
