/* The shim and the command it starts (see spawn.h). */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Bigger pipes: fewer wakeups per megabyte of output (the default 64 KiB is the floor if refused). */
#define PIPE_BYTES (1024 * 1024)

static void close_from(int lowest) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, (unsigned)lowest, ~0u, 0) == 0) return;
#endif
  for (int fd = lowest; fd < 1024; fd++) close(fd);
}

/* The agent's environment with `set` laid over it (a name in `set` replaces the agent's). */
static char **merged_env(char **set) {
  size_t n = 0, m = 0;
  while (environ[n]) n++;
  while (set[m]) m++;
  char **env = calloc(n + m + 1, sizeof *env);
  if (!env) return set;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    size_t name = strcspn(environ[i], "=");
    int replaced = 0;
    for (size_t j = 0; j < m && !replaced; j++) replaced = strncmp(set[j], environ[i], name) == 0 && set[j][name] == '=';
    if (!replaced) env[k++] = environ[i];
  }
  for (size_t j = 0; j < m; j++) env[k++] = set[j];
  return env;
}

static void say(const char *what, const char *arg) {
  dprintf(2, "pocketdock-agent: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "", strerror(errno));
}

/*
 * In the command's process, a vfork child sharing the shim's memory (the agent's) until it execs: its
 * own session, default signal dispositions, its directory; nothing here allocates or writes the
 * shim's variables.
 */
static void exec_command(const struct spawn_req *req, char **env) {
  setsid();
  struct sigaction dfl = {.sa_handler = SIG_DFL};
  for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &dfl, NULL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  if (req->cwd[0] && chdir(req->cwd) < 0) { say("cd", req->cwd); _exit(126); }
  execvpe(req->argv[0], req->argv, env);
  int code = errno == ENOENT ? 127 : 126;
  say("cannot run", req->argv[0]);
  _exit(code);
}

/*
 * A system call that leaves errno alone. Once it has told its first word, the shim runs beside the
 * agent in the agent's memory (spawn_command), errno included: what it does from then on goes
 * through here, never through libc.
 */
static long raw(long n, long a, long b, long c, long d) {
#if defined(__x86_64__)
  register long r10 __asm__("r10") = d;
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
  return ret;
#elif defined(__aarch64__)
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory", "cc");
  return x0;
#else
#error "pocketdock-agent: raw system calls are written for x86_64 and aarch64 only"
#endif
}

struct shim_args {
  const struct spawn_req *req;
  char **env;
  int fds[4]; /* the command's stdin, stdout, stderr; the status pipe */
};

/* The shim: a subreaper deaf to everything but SIGKILL, living as long as anything below it does. */
static int run_shim(void *arg) {
  const struct shim_args *a = arg;
  struct sigaction ign = {.sa_handler = SIG_IGN}, dfl = {.sa_handler = SIG_DFL};
  for (int sig = 1; sig < NSIG; sig++) if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &ign, NULL);
  sigaction(SIGCHLD, &dfl, NULL);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  prctl(PR_SET_NAME, "pocketdock-shim");
  int fds[4];
  for (int i = 0; i < 4; i++) fds[i] = fcntl(a->fds[i], F_DUPFD, 10);
  for (int i = 0; i < 4; i++) dup2(fds[i], i);
  close_from(4);
  /* vfork, not fork: copying the shim's address space cost 1 ms a command here, vfork 0.03 ms. */
  pid_t child = vfork();
  if (child == 0) {
    close(3);
    exec_command(a->req, a->env);
  }
  /* The agent waits for this word, and runs on once it has it: from here on, raw calls only. */
  int told = child < 0 ? 0 : child;
  if (raw(SYS_write, 3, (long)&told, sizeof told, 0) < 0) raw(SYS_exit_group, 1, 0, 0, 0);
  int devnull = (int)raw(SYS_openat, AT_FDCWD, (long)"/dev/null", O_RDWR, 0);
  for (int fd = 0; fd < 3 && devnull >= 0; fd++) raw(SYS_dup3, devnull, fd, 0, 0);
  if (devnull > 2) raw(SYS_close, devnull, 0, 0, 0);
  if (child < 0) {
    int code = 126;
    raw(SYS_write, 3, (long)&code, sizeof code, 0);
    raw(SYS_exit_group, 0, 0, 0, 0);
  }
  for (;;) {
    int st;
    long p = raw(SYS_wait4, -1, (long)&st, 0, 0);
    if (p == -EINTR) continue;
    if (p < 0) break; /* ECHILD: the tree is empty */
    if (p != child) continue;
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    raw(SYS_write, 3, (long)&code, sizeof code, 0); /* the agent may be gone: the shim keeps reaping */
  }
  raw(SYS_exit_group, 0, 0, 0, 0);
  return 0;
}

/*
 * The shims' stacks, kept for the next ones: a new stack's first touches are page faults, which cost
 * more than the rest of a shim's start on the machine we measure on. A guard page below each.
 */
#define STACK_BYTES (64 * 1024)
#define STACK_GUARD 4096
#define STACKS_KEPT 16
static void *stacks[STACKS_KEPT];
static int stacks_kept;

static void *stack_take(void) {
  if (stacks_kept > 0) return stacks[--stacks_kept];
  char *s = mmap(NULL, STACK_GUARD + STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (s == MAP_FAILED) return NULL;
  mprotect(s, STACK_GUARD, PROT_NONE);
  return s;
}

void spawn_release(void *stack) {
  if (!stack) return;
  if (stacks_kept < STACKS_KEPT) stacks[stacks_kept++] = stack;
  else munmap(stack, STACK_GUARD + STACK_BYTES);
}

static int make_pipe(int p[2]) {
  if (pipe2(p, O_CLOEXEC) < 0) return -1;
  fcntl(p[0], F_SETPIPE_SZ, PIPE_BYTES);
  return 0;
}

int spawn_command(const struct spawn_req *req, struct spawned *s, char *why, size_t whylen) {
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, status[2] = {-1, -1};
  int ok = make_pipe(out) == 0 && make_pipe(err) == 0 && pipe2(status, O_CLOEXEC) == 0 &&
           (!req->with_stdin || pipe2(in, O_CLOEXEC) == 0);
  pid_t shim = -1;
  void *stack = NULL;
  char **env = NULL;
  struct shim_args args; /* read by the shim until its first word: it must outlive the read below */
  if (ok) {
    if (!req->with_stdin) in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
    env = merged_env(req->env);
    stack = stack_take();
    /*
     * The shim shares the agent's memory (CLONE_VM) rather than copying it: a fork's copy of the
     * page tables, and the copy-on-write faults after it, cost 3 ms of a run's 9 on the machine we
     * measure on. It has its own stack, descriptors and signal dispositions; until its first word
     * the agent is blocked below, so it may use libc as the agent would, and after it it makes raw
     * calls only (raw).
     */
    args = (struct shim_args){.req = req, .env = env, .fds = {in[0], out[1], err[1], status[1]}};
    if (stack) shim = clone(run_shim, (char *)stack + STACK_GUARD + STACK_BYTES, CLONE_VM | SIGCHLD, &args);
    else errno = ENOMEM;
  }
  int saved = errno;
  for (int *fd = (int[]){in[0], out[1], err[1], status[1]}, i = 0; i < 4; i++) if (fd[i] >= 0) close(fd[i]);
  if (!ok || shim < 0) {
    for (int *fd = (int[]){in[1], out[0], err[0], status[0]}, i = 0; i < 4; i++) if (fd[i] >= 0) close(fd[i]);
    if (env != req->env) free(env);
    spawn_release(stack);
    snprintf(why, whylen, "cannot start the command: %s", strerror(saved));
    return -1;
  }
  s->shim = shim;
  s->stack = stack;
  s->main = 0;
  /* The shim's first word, written once the command has exec'd (or failed to): a blocking read of a moment. */
  ssize_t got;
  while ((got = read(status[0], &s->main, sizeof s->main)) < 0 && errno == EINTR) {}
  /* Without it the shim was SIGKILLed, maybe with its vfork child still on its stack: never reused. */
  if (got != sizeof s->main) s->stack = NULL;
  if (env != req->env) free(env);
  s->in = in[1];
  s->out = out[0];
  s->err = err[0];
  s->status = status[0];
  for (int i = 0; i < 4; i++) {
    int fd = ((int[]){s->in, s->out, s->err, s->status})[i];
    if (fd >= 0) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  return 0;
}
