/*
 * ptydrive.c — drives a program through a pseudo-terminal the way a person
 * at a keyboard would, following a small script, so the REPL is tested as it
 * is used: with a terminal, readline, echo and real signals from Ctrl-C.
 *
 * usage: ptydrive PROGRAM SCRIPT...
 * Each script runs PROGRAM afresh (HOME is a new temporary directory, so the
 * history starts empty) and is a list of steps, one a line:
 *   send TEXT       type TEXT; escapes \n \r \t \\ and \xHH (\x03 is Ctrl-C)
 *   expect TEXT     wait (5 s at most) until TEXT appears in the output after
 *                   the point the previous expect matched
 *   absent TEXT     TEXT has not appeared since the previous expect matched
 *   sleep MS        wait, reading output
 *   exit N          wait for the program to end with status N
 *   restart         start the program again with the same HOME (history)
 * Lines starting with '#' are comments.  Every step is a check; the first
 * failing step of a script ends it.  The last line is `N passed, M failed`.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STEP_TIMEOUT_MS 5000

typedef struct {
    int fd;
    pid_t pid;
    char *out;          /* everything the program printed */
    size_t len, cap, mark;
    int status;
    bool exited;
    const char *program, *home;
} Session;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Reads whatever output arrives within `ms`; notes the exit when it happens. */
static void pump(Session *s, int ms)
{
    struct pollfd p = {.fd = s->fd, .events = POLLIN};
    if (poll(&p, 1, ms) > 0) {
        char buf[4096];
        ssize_t n = read(s->fd, buf, sizeof buf);
        if (n > 0) {
            if (s->len + (size_t)n + 1 > s->cap) {
                s->cap = (s->len + (size_t)n + 1) * 2;
                s->out = realloc(s->out, s->cap);
                if (!s->out) {
                    perror("ptydrive");
                    exit(2);
                }
            }
            memcpy(s->out + s->len, buf, (size_t)n);
            s->len += (size_t)n;
            s->out[s->len] = '\0';
        }
    }
    if (!s->exited && waitpid(s->pid, &s->status, WNOHANG) == s->pid)
        s->exited = true;
}

static size_t unescape(const char *in, char *out)
{
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        if (*p != '\\' || p[1] == '\0') {
            out[n++] = *p;
            continue;
        }
        p++;
        if (*p == 'n') out[n++] = '\n';
        else if (*p == 'r') out[n++] = '\r';
        else if (*p == 't') out[n++] = '\t';
        else if (*p == 'x' && p[1] && p[2]) {
            char hex[3] = {p[1], p[2], 0};
            out[n++] = (char)strtol(hex, NULL, 16);
            p += 2;
        } else out[n++] = *p;
    }
    return n;
}

static bool step_expect(Session *s, const char *text)
{
    double deadline = now_ms() + STEP_TIMEOUT_MS;
    for (;;) {
        char *hit = s->out ? strstr(s->out + s->mark, text) : NULL;
        if (hit) {
            s->mark = (size_t)(hit - s->out) + strlen(text);
            return true;
        }
        if (now_ms() > deadline)
            return false;
        pump(s, 20);
    }
}

static bool step_exit(Session *s, int code)
{
    double deadline = now_ms() + STEP_TIMEOUT_MS;
    while (!s->exited && now_ms() < deadline)
        pump(s, 20);
    return s->exited && WIFEXITED(s->status) && WEXITSTATUS(s->status) == code;
}

static bool start(Session *s, const char *program, const char *home);
static void finish(Session *s);

static bool run_step(Session *s, const char *line)
{
    char text[4096];
    if (strncmp(line, "send ", 5) == 0) {
        size_t n = unescape(line + 5, text);
        for (size_t i = 0; i < n; i++) {          /* one key at a time, as typed */
            if (write(s->fd, text + i, 1) != 1)
                return false;
            pump(s, 2);
        }
        return true;
    }
    if (strncmp(line, "expect ", 7) == 0) {
        text[unescape(line + 7, text)] = '\0';
        return step_expect(s, text);
    }
    if (strncmp(line, "absent ", 7) == 0) {
        text[unescape(line + 7, text)] = '\0';
        pump(s, 100);
        return !(s->out && strstr(s->out + s->mark, text));
    }
    if (strncmp(line, "sleep ", 6) == 0) {
        double until = now_ms() + atoi(line + 6);
        while (now_ms() < until)
            pump(s, 10);
        return true;
    }
    if (strncmp(line, "exit ", 5) == 0)
        return step_exit(s, atoi(line + 5));
    if (strcmp(line, "restart") == 0) {
        const char *program = s->program, *home = s->home;
        finish(s);
        return start(s, program, home);
    }
    fprintf(stderr, "ptydrive: unknown step: %s\n", line);
    return false;
}

static bool start(Session *s, const char *program, const char *home)
{
    struct winsize ws = {.ws_row = 24, .ws_col = 100};
    memset(s, 0, sizeof *s);
    s->program = program;
    s->home = home;
    s->pid = forkpty(&s->fd, NULL, NULL, &ws);
    if (s->pid < 0)
        return false;
    if (s->pid == 0) {
        setenv("HOME", home, 1);
        setenv("TERM", "dumb", 1);
        execl(program, program, (char *)NULL);
        _exit(127);
    }
    return true;
}

static void finish(Session *s)
{
    if (!s->exited) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &s->status, 0);
    }
    close(s->fd);
    free(s->out);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: ptydrive PROGRAM SCRIPT...\n");
        return 2;
    }
    int passed = 0, failed = 0;
    for (int i = 2; i < argc; i++) {
        FILE *f = fopen(argv[i], "r");
        char home[] = "/tmp/ptydrive-XXXXXX";
        if (!f || !mkdtemp(home)) {
            fprintf(stderr, "FAIL %s: cannot open the script or make a home\n", argv[i]);
            failed++;
            if (f) fclose(f);
            continue;
        }
        Session s;
        if (!start(&s, argv[1], home)) {
            fprintf(stderr, "FAIL %s: cannot start %s\n", argv[i], argv[1]);
            failed++;
            fclose(f);
            continue;
        }
        char line[4096];
        int lineno = 0;
        while (fgets(line, sizeof line, f)) {
            lineno++;
            line[strcspn(line, "\n")] = '\0';
            if (line[0] == '#' || line[0] == '\0')
                continue;
            if (run_step(&s, line)) {
                passed++;
                continue;
            }
            failed++;
            fprintf(stderr, "FAIL %s:%d: %s\n--- output since the last match ---\n%s\n---\n",
                    argv[i], lineno, line, s.out ? s.out + s.mark : "");
            break;
        }
        fclose(f);
        finish(&s);
        char history[sizeof home + 32];
        snprintf(history, sizeof history, "%s/.luagrad_history", home);
        unlink(history);
        rmdir(home);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed > 0;
}
