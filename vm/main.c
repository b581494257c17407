/*
 * main.c — the luagrad command line, which follows lua's own: options are
 * handled left to right, the first non-option names the script and the rest
 * become its arguments (`arg` and `...`), `-` reads the script from standard
 * input, and with no script an interactive terminal gets the REPL while a pipe
 * is run as a script.
 *
 * Before anything runs, the Lua libraries in lib/ are put on package.path,
 * found next to the executable (build tree: <dir>/lib; installed:
 * <dir>/../share/lua/5.4) and in the directories of LUAGRAD_PATH, and the
 * globals torch, nn, optim, data, F and help are made ready.
 */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "tensor/tensor.h"
#include "vm/luagrad.h"

static const char *progname = "luagrad";

/* ---- Ctrl-C: the handler may only set flags; the Lua hook raises the error */

/* The state the signal handler arms: a signal handler has no other way to
 * find it (lua.c does the same). */
static lua_State *interrupt_target;

static void interrupt_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    tensor_interrupt_requested = 0;
    luaL_error(L, "interrupted");
}

static void on_sigint(int sig)
{
    (void)sig;
    /* lua_sethook is safe in a signal handler (Lua manual, lua_sethook). */
    tensor_interrupt_requested = 1;
    lua_sethook(interrupt_target, interrupt_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

static int traceback_handler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int vm_docall(lua_State *L, int narg, int nres)
{
    int base = lua_gettop(L) - narg;
    lua_pushcfunction(L, traceback_handler);
    lua_insert(L, base);
    interrupt_target = L;
    tensor_interrupt_requested = 0;
    struct sigaction sa = {.sa_handler = on_sigint}, old;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    int status = lua_pcall(L, narg, nres, base);
    sigaction(SIGINT, &old, NULL);
    lua_sethook(L, NULL, 0, 0);
    tensor_interrupt_requested = 0;
    lua_remove(L, base);
    return status;
}

void vm_report(lua_State *L, const char *name)
{
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "%s%s%s\n", name ? name : "", name ? ": " : "", msg ? msg : "(error)");
    fflush(stderr);
    lua_pop(L, 1);
}

/* ---- library paths -------------------------------------------------------- */

static void prepend_lua_dir(luaL_Buffer *b, const char *dir, size_t len)
{
    if (len == 0)
        return;
    luaL_addlstring(b, dir, len);
    luaL_addstring(b, "/?.lua;");
    luaL_addlstring(b, dir, len);
    luaL_addstring(b, "/?/init.lua;");
}

static bool is_dir_with_libs(const char *dir)
{
    char probe[PATH_MAX + 64];
    snprintf(probe, sizeof probe, "%s/luagrad/globals.lua", dir);
    return access(probe, R_OK) == 0;
}

/* package.path = LUAGRAD_PATH dirs; the lib dir beside the executable; lua's default. */
static void setup_paths(lua_State *L)
{
    lua_getglobal(L, "package");
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    const char *env = getenv("LUAGRAD_PATH");
    for (const char *p = env; p && *p;) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        prepend_lua_dir(&b, p, len);
        p = end ? end + 1 : p + len;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        char dir[PATH_MAX + 32];
        snprintf(dir, sizeof dir, "%s/lib", exe);
        if (!is_dir_with_libs(dir))
            snprintf(dir, sizeof dir, "%s/../share/lua/5.4", exe);
        if (is_dir_with_libs(dir))
            prepend_lua_dir(&b, dir, strlen(dir));
    }
    lua_getfield(L, -2, "path");
    luaL_addvalue(&b);
    luaL_pushresult(&b);
    lua_setfield(L, -2, "path");
    lua_pop(L, 1);
}

/* Opens the standard libraries, the torch module and the luagrad globals. */
static int setup_state(lua_State *L)
{
    luaL_openlibs(L);
    setup_paths(L);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_torch);
    lua_setfield(L, -2, "torch");
    lua_pop(L, 1);
    lua_getglobal(L, "require");
    lua_pushstring(L, "luagrad.globals");
    lua_call(L, 1, 0);
    /* Generational mode frees the many short-lived tensor temporaries of an
     * expression far sooner than incremental mode: measured 1.5 -> 0.33 us
     * for `c = a + b` on 10 elements, and flat memory in long loops.  It is
     * entered only now, with the libraries loaded: they are all long-lived,
     * and entering it first left the collector in its fallback for major
     * collections that free little (Lua 5.4's "bad collections", which
     * collect fully until one frees enough) for the first few hundred
     * thousand small ops of a script: 10% more instructions, and garbage
     * batches too large to reuse their memory while still warm. */
    lua_gc(L, LUA_GCGEN, 0, 0);
    return 0;
}

/* ---- the command line ----------------------------------------------------- */

static void print_usage(FILE *f)
{
    fprintf(f,
            "usage: %s [options] [script [args]]\n"
            "Available options are:\n"
            "  -e stat   execute string 'stat'\n"
            "  -i        enter interactive mode after executing 'script'\n"
            "  -l mod    require library 'mod' into global 'mod'\n"
            "  -v        show version information\n"
            "  -h        show this help\n"
            "  --        stop handling options\n"
            "  -         stop handling options and execute stdin\n"
            "With no script, a terminal gets the interactive prompt and a pipe runs as a script.\n"
            "Environment: LUAGRAD_PATH (directories of Lua libraries, ':'-separated).\n",
            progname);
}

static void print_version(void)
{
    printf("luagrad %s (%s)\n", LUAGRAD_VERSION, LUA_RELEASE);
    fflush(stdout);
}

typedef struct {
    int script;          /* index in argv of the script, or 0 */
    bool interactive, version, help, has_e;
} Options;

/* Returns false (after printing why) for a malformed command line. */
static bool parse_options(int argc, char **argv, Options *o)
{
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-')
            break;
        if (strcmp(a, "-") == 0)
            break;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "-i") == 0) {
            o->interactive = o->version = true;
        } else if (strcmp(a, "-v") == 0) {
            o->version = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            o->help = true;
        } else if (strcmp(a, "-e") == 0 || strcmp(a, "-l") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "%s: '%s' needs an argument\n", progname, a);
                return false;
            }
            o->has_e |= a[1] == 'e';
            i++;
        } else if ((a[1] == 'e' || a[1] == 'l') && a[2] != '\0') {
            o->has_e |= a[1] == 'e';
        } else {
            fprintf(stderr, "%s: unrecognized option '%s'\n", progname, a);
            return false;
        }
    }
    o->script = i < argc ? i : 0;
    return true;
}

/* arg[0] is the script, arg[1..] its arguments, negative indices the rest. */
static void create_arg_table(lua_State *L, int argc, char **argv, int script)
{
    int first = script ? script : argc;
    lua_createtable(L, argc - first, first);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - (script ? script : 0));
    }
    lua_setglobal(L, "arg");
}

static bool run_chunk(lua_State *L, int status, int narg)
{
    if (status == LUA_OK)
        status = vm_docall(L, narg, 0);
    else if (narg > 0)
        lua_pop(L, narg);
    if (status != LUA_OK) {
        vm_report(L, progname);
        return false;
    }
    return true;
}

/* Runs -e and -l in order. */
static bool run_inline_options(lua_State *L, int argc, char **argv, int script)
{
    int stop = script ? script : argc;
    for (int i = 1; i < stop; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0 || strcmp(a, "-") == 0)
            break;
        if (a[1] != 'e' && a[1] != 'l')
            continue;
        const char *val = a[2] ? a + 2 : argv[++i];
        if (a[1] == 'e') {
            if (!run_chunk(L, luaL_loadbuffer(L, val, strlen(val), "=(command line)"), 0))
                return false;
        } else {
            lua_getglobal(L, "require");
            lua_pushstring(L, val);
            if (vm_docall(L, 1, 1) != LUA_OK) {
                vm_report(L, progname);
                return false;
            }
            lua_setglobal(L, val);
        }
    }
    return true;
}

static bool run_script(lua_State *L, int argc, char **argv, int script)
{
    const char *name = argv[script];
    if (strcmp(name, "-") == 0 && strcmp(argv[script - 1], "--") != 0)
        name = NULL;                          /* stdin */
    int status = luaL_loadfile(L, name);
    int narg = 0;
    if (status == LUA_OK) {
        lua_getglobal(L, "arg");
        narg = (int)luaL_len(L, -1);
        luaL_checkstack(L, narg + 3, "too many arguments to script");
        for (int i = 1; i <= narg; i++)
            lua_rawgeti(L, -i, i);
        lua_remove(L, -narg - 1);
    }
    return run_chunk(L, status, narg);
}

static int protected_main(lua_State *L)
{
    int argc = (int)lua_tointeger(L, 1);
    char **argv = lua_touserdata(L, 2);
    Options o = {0};
    if (!parse_options(argc, argv, &o)) {
        print_usage(stderr);
        lua_pushboolean(L, 0);
        return 1;
    }
    if (o.help) {
        print_usage(stdout);
        lua_pushboolean(L, 1);
        return 1;
    }
    if (o.version)
        print_version();
    setup_state(L);
    create_arg_table(L, argc, argv, o.script);
    bool ok = run_inline_options(L, argc, argv, o.script);
    if (ok && o.script)
        ok = run_script(L, argc, argv, o.script);
    if (ok && o.interactive) {
        repl_run(L);
    } else if (ok && !o.script && !o.has_e && !o.version) {
        if (isatty(STDIN_FILENO)) {
            print_version();
            repl_run(L);
        } else {
            ok = run_chunk(L, luaL_loadfile(L, NULL), 0);
        }
    }
    lua_pushboolean(L, ok);
    return 1;
}

/* Two thread settings must be made before main runs, because the libraries
 * read them while they load, so when either is unset we set it and execute
 * ourselves again, once (both are set the second time; if the exec fails we
 * carry on as we are).  The Lua module (torch.so) cannot do this: its host
 * loaded the libraries already (set the variables yourself there).
 *
 * - OMP_WAIT_POLICY=passive: after a parallel region, libgomp's workers spin
 *   for a while by default, holding the cores OpenBLAS's own threads need
 *   next; with 2 cores an LSTM step ran 3-5x slower and a matmul after a
 *   reduction 1.4x slower.  Passive workers sleep at once.
 * - OPENBLAS_CORETYPE=SkylakeX on CPUs with the AVX-512 subsets its kernels
 *   use: 0.3.21 does not know recent AVX-512 CPUs (Zen 4/5) and falls back to
 *   its Haswell (AVX2) kernels, half as fast here. */
static void set_thread_environment(char **argv)
{
    bool changed = false;
    if (!getenv("OMP_WAIT_POLICY"))
        changed |= setenv("OMP_WAIT_POLICY", "passive", 1) == 0;
    __builtin_cpu_init();
    if (!getenv("OPENBLAS_CORETYPE") && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
        changed |= setenv("OPENBLAS_CORETYPE", "SkylakeX", 1) == 0;
    if (changed)
        execv("/proc/self/exe", argv);
}

/* Keeps glibc from handing freed medium blocks (128 KiB to 1 MiB: the
 * activations and gradients of a small network) back to the kernel at
 * every free, only to fault them in again at the next step: by default it
 * trims the top of the heap once 128 KiB or so lie free there, and a LeNet
 * training step on a batch of 100 took ~450 page faults (about 11 us each
 * here) to reuse 2 MB.  Fixing the trim threshold also freezes glibc's
 * sliding mmap threshold, so that one is set too: blocks past 1 MiB are
 * storage.c's (huge pages, its own cache), the rest stay on the heap. */
static void set_malloc_policy(void)
{
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    mallopt(M_TRIM_THRESHOLD, 32 << 20);
}

int main(int argc, char **argv)
{
    if (argv[0] && argv[0][0])
        progname = argv[0];
    set_thread_environment(argv);
    set_malloc_policy();
    lua_State *L = luaL_newstate();
    if (L == NULL) {
        fprintf(stderr, "%s: cannot create state: not enough memory\n", progname);
        return EXIT_FAILURE;
    }
    lua_pushcfunction(L, protected_main);
    lua_pushinteger(L, argc);
    lua_pushlightuserdata(L, argv);
    int status = lua_pcall(L, 2, 1, 0);
    bool ok = status == LUA_OK && lua_toboolean(L, -1);
    if (status != LUA_OK)
        vm_report(L, progname);
    /* How the run ended, for finalizers that must not wait for other
     * processes after a failure (MPI_Finalize: see vm/bind_dist.c). */
    lua_pushboolean(L, ok);
    lua_setfield(L, LUA_REGISTRYINDEX, "luagrad.exit_ok");
    lua_close(L);
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
