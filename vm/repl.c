/*
 * repl.c — the interactive prompt.
 *
 * A line is first tried as an expression ("return <line>") so its values
 * print; otherwise as a statement.  A statement the compiler rejects only
 * because it ended too early ("... near <eof>") is continued on a second
 * prompt, as lua.c does.  A trailing ';' runs the line without printing.
 * `_` holds the first value of the last expression, and nothing older.
 *
 * Input comes from GNU readline's callback interface rather than readline():
 * the loop waits in select(), so a Ctrl-C at the prompt interrupts the wait
 * and throws the half-typed line away instead of killing the process.  While
 * code runs, Ctrl-C goes through vm_docall's handler and interrupts it.
 * Formatting values and finding completions are Lua (lib/luagrad/repl.lua).
 */
#define _GNU_SOURCE  /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include <lauxlib.h>

#include "vm/luagrad.h"

#define HISTORY_FILE ".luagrad_history"
#define HISTORY_LINES 1000

/* readline's callbacks carry no user data, so the line being read and the
 * state completions come from live here; there is one terminal per process. */
static struct {
    lua_State *L;
    char *line;
    bool done, eof;
    volatile sig_atomic_t interrupted;
    int wake[2];                /* self-pipe: SIGINT -> the select loop */
    char history_path[4096];
} prompt;

/* ---- reading one line ----------------------------------------------------- */

static void on_line(char *line)
{
    prompt.line = line;
    prompt.eof = line == NULL;
    prompt.done = true;
    rl_callback_handler_remove();
}

/* The handler may run on any thread (OpenBLAS and OpenMP workers do not
 * block SIGINT), so it wakes the prompt through a pipe the main loop
 * selects on, rather than by interrupting the main thread's wait. */
static void on_prompt_sigint(int sig)
{
    (void)sig;
    prompt.interrupted = 1;
    ssize_t ignored = write(prompt.wake[1], "", 1);
    (void)ignored;
}

typedef enum { READ_LINE, READ_EOF, READ_INTERRUPTED } ReadResult;

static ReadResult read_line(const char *prompt_text, char **out)
{
    struct sigaction sa = {.sa_handler = on_prompt_sigint}, old;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    prompt.done = prompt.eof = false;
    prompt.interrupted = 0;
    prompt.line = NULL;
    rl_callback_handler_install(prompt_text, on_line);
    ReadResult result = READ_LINE;
    while (!prompt.done) {
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(STDIN_FILENO, &fds);
        FD_SET(prompt.wake[0], &fds);
        int r = select((prompt.wake[0] > STDIN_FILENO ? prompt.wake[0] : STDIN_FILENO) + 1, &fds, NULL, NULL,
                       NULL);
        if (prompt.interrupted) {
            char drain[64];
            while (read(prompt.wake[0], drain, sizeof drain) > 0)
                ;
            rl_free_line_state();
            rl_callback_sigcleanup();
            rl_callback_handler_remove();
            fputs("^C\n", rl_outstream ? rl_outstream : stdout);
            result = READ_INTERRUPTED;
            break;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            result = READ_EOF;
            break;
        }
        if (FD_ISSET(STDIN_FILENO, &fds))
            rl_callback_read_char();
    }
    sigaction(SIGINT, &old, NULL);
    if (result == READ_LINE && prompt.eof)
        result = READ_EOF;
    *out = prompt.line;
    return result;
}

/* ---- history ------------------------------------------------------------- */

static void history_open(void)
{
    const char *home = getenv("HOME");
    using_history();
    stifle_history(HISTORY_LINES);
    if (home == NULL || *home == '\0')
        return;
    snprintf(prompt.history_path, sizeof prompt.history_path, "%s/%s", home, HISTORY_FILE);
    read_history(prompt.history_path);
}

static void history_add(const char *entry)
{
    add_history(entry);
    if (prompt.history_path[0] == '\0')
        return;
    if (append_history(1, prompt.history_path) != 0)
        write_history(prompt.history_path);      /* first entry: the file is new */
    history_truncate_file(prompt.history_path, HISTORY_LINES);
}

/* ---- completion: candidates come from luagrad.repl.complete(text) ------- */

static char **candidates;
static size_t candidate_next;

static void free_candidates(void)
{
    for (size_t i = 0; candidates && candidates[i]; i++)
        free(candidates[i]);
    free(candidates);
    candidates = NULL;
}

static int collect_candidates(lua_State *L)
{
    const char *text = lua_touserdata(L, 1);
    lua_getglobal(L, "require");
    lua_pushstring(L, "luagrad.repl");
    lua_call(L, 1, 1);
    lua_getfield(L, -1, "complete");
    lua_pushstring(L, text);
    lua_call(L, 1, 1);
    luaL_checktype(L, -1, LUA_TTABLE);
    size_t n = (size_t)luaL_len(L, -1);
    candidates = calloc(n + 1, sizeof *candidates);
    for (size_t i = 0; candidates && i < n; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        const char *s = lua_tostring(L, -1);
        candidates[i] = strdup(s ? s : "");
        lua_pop(L, 1);
    }
    return 0;
}

static char *next_candidate(const char *text, int state)
{
    (void)text;
    if (candidates == NULL || candidates[candidate_next] == NULL)
        return NULL;
    return strdup(candidates[candidate_next++]);
}

static char **complete(const char *text, int start, int end)
{
    (void)start;
    (void)end;
    rl_attempted_completion_over = 1;       /* never fall back to file names */
    free_candidates();
    candidate_next = 0;
    lua_State *L = prompt.L;
    lua_pushcfunction(L, collect_candidates);
    lua_pushlightuserdata(L, (void *)text);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK)
        lua_pop(L, 1);                       /* a completion error is no completion */
    return rl_completion_matches(text, next_candidate);
}

/* ---- evaluating a chunk ---------------------------------------------------- */

/* True when the syntax error on top of the stack is only "ran out of input". */
static bool syntax_error_at_eof(lua_State *L)
{
    static const char mark[] = "<eof>";
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    return len >= sizeof mark - 1 && strcmp(msg + len - (sizeof mark - 1), mark) == 0;
}

/* Compiles `code` as an expression, else as a statement, and pushes the
 * function or the syntax error message.  A trailing ';' (which `quiet`
 * reports) is dropped first so that `f();` is still an expression.  Returns
 * false, pushing nothing, when the text is merely unfinished in either form
 * (`1 +`, `for i = 1, 3 do`). */
static bool compile(lua_State *L, const char *code, bool *quiet)
{
    size_t len = strlen(code);
    while (len > 0 && strchr(" \t\r\n", code[len - 1]))
        len--;
    *quiet = len > 0 && code[len - 1] == ';';
    if (*quiet)
        len--;
    lua_pushliteral(L, "return ");
    lua_pushlstring(L, code, len);
    lua_concat(L, 2);
    size_t elen;
    const char *expr = lua_tolstring(L, -1, &elen);
    if (luaL_loadbuffer(L, expr, elen, "=stdin") == LUA_OK) {
        lua_remove(L, -2);
        return true;
    }
    bool expression_unfinished = syntax_error_at_eof(L);
    lua_pop(L, 2);
    int status = luaL_loadbuffer(L, code, strlen(code), "=stdin");
    if (status == LUA_ERRSYNTAX && (expression_unfinished || syntax_error_at_eof(L))) {
        lua_pop(L, 1);
        return false;
    }
    return true;
}

/* Prints the values above `base` through luagrad.repl.show and sets `_`,
 * unless there are none or all are nil. */
static void show_results(lua_State *L, int base, bool print)
{
    int n = lua_gettop(L) - base;
    bool all_nil = true;
    for (int i = 1; i <= n; i++)
        all_nil = all_nil && lua_isnil(L, base + i);
    if (all_nil) {                      /* `nil` and `print(x)` print nothing */
        lua_settop(L, base);
        return;
    }
    lua_pushvalue(L, base + 1);
    lua_setglobal(L, "_");
    if (!print) {
        lua_settop(L, base);
        return;
    }
    lua_getglobal(L, "require");
    lua_pushstring(L, "luagrad.repl");
    lua_call(L, 1, 1);
    lua_getfield(L, -1, "show");
    lua_remove(L, -2);
    lua_insert(L, base + 1);
    if (vm_docall(L, n, 0) != LUA_OK)
        vm_report(L, NULL);
    lua_settop(L, base);
}

/* Runs the compiled chunk (or reports the syntax error) on top of the stack. */
static void run_compiled(lua_State *L, bool quiet)
{
    if (lua_type(L, -1) == LUA_TSTRING) {
        vm_report(L, NULL);
        return;
    }
    int base = lua_gettop(L) - 1;
    if (vm_docall(L, 0, LUA_MULTRET) != LUA_OK) {
        vm_report(L, NULL);
        return;
    }
    show_results(L, base, !quiet);
}

/* Reads lines until they form a complete chunk and pushes its compiled
 * function (or syntax error).  Returns the text for the history, or NULL at
 * the end of input. */
static char *read_entry(lua_State *L, bool *quiet)
{
    bool first = true;
    for (;;) {
        char *line;
        ReadResult r = read_line(first ? "> " : ">> ", &line);
        if (r != READ_LINE && !first)
            lua_pop(L, 1);                    /* the unfinished text */
        if (r == READ_EOF)
            return NULL;
        if (r == READ_INTERRUPTED) {
            first = true;
            continue;
        }
        if (first) {
            lua_pushstring(L, line);
        } else {
            lua_pushfstring(L, "%s\n%s", lua_tostring(L, -1), line);
            lua_remove(L, -2);
        }
        free(line);
        first = false;
        if (compile(L, lua_tostring(L, -1), quiet)) {
            char *entry = strdup(lua_tostring(L, -2));
            lua_remove(L, -2);
            return entry;
        }
    }
}

void repl_run(lua_State *L)
{
    prompt.L = L;
    if (pipe2(prompt.wake, O_NONBLOCK | O_CLOEXEC) != 0) {
        perror("luagrad: cannot start the prompt");
        return;
    }
    rl_readline_name = "luagrad";
    rl_catch_signals = 0;
    rl_attempted_completion_function = complete;
    /* '.' and ':' are part of a completion word: torch.ze<TAB>, x:ma<TAB> */
    rl_basic_word_break_characters = " \t\n\"\\'`><=;+-*/%^~#&|{}()[],";
    history_open();
    char *entry;
    bool quiet;
    while ((entry = read_entry(L, &quiet)) != NULL) {
        if (entry[strspn(entry, " \t")] != '\0') {
            history_add(entry);
            run_compiled(L, quiet);
        }
        free(entry);
        lua_settop(L, 0);
    }
    free_candidates();
    close(prompt.wake[0]);
    close(prompt.wake[1]);
    fputs("\n", stdout);
}
