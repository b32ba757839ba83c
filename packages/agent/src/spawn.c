/* The shim and the command it starts (see spawn.h). */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
 * In the command's process, a vfork child sharing the shim's memory until it execs: its own session,
 * default signal dispositions, its directory; nothing here allocates or writes the shim's variables.
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

/* The shim: a subreaper deaf to everything but SIGKILL, living as long as anything below it does. */
static void run_shim(const struct spawn_req *req, int in, int out, int err, int status) {
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  prctl(PR_SET_NAME, "pocketdock-shim");
  int fds[4] = {in, out, err, status};
  for (int i = 0; i < 4; i++) fds[i] = fcntl(fds[i], F_DUPFD, 10);
  for (int i = 0; i < 4; i++) dup2(fds[i], i);
  close_from(4);
  char **env = merged_env(req->env);
  /* vfork, not fork: copying the shim's address space cost 1 ms a command here, vfork 0.03 ms. */
  pid_t child = vfork();
  if (child == 0) {
    close(3);
    exec_command(req, env);
  }
  pid_t told = child < 0 ? 0 : child;
  if (write(3, &told, sizeof told) < 0) _exit(1);
  int devnull = open("/dev/null", O_RDWR);
  dup2(devnull, 0);
  dup2(devnull, 1);
  dup2(devnull, 2);
  if (devnull > 2) close(devnull);
  if (child < 0) {
    int code = 126;
    if (write(3, &code, sizeof code) < 0) _exit(1);
    _exit(0);
  }
  for (;;) {
    int st;
    pid_t p = waitpid(-1, &st, 0);
    if (p < 0) {
      if (errno == EINTR) continue;
      break; /* ECHILD: the tree is empty */
    }
    if (p != child) continue;
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (write(3, &code, sizeof code) < 0) { /* the agent is gone: keep reaping */ }
  }
  _exit(0);
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
  if (ok) {
    if (!req->with_stdin) in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
    shim = fork();
    if (shim == 0) {
      struct sigaction ign = {.sa_handler = SIG_IGN}, dfl = {.sa_handler = SIG_DFL};
      for (int sig = 1; sig < NSIG; sig++) if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &ign, NULL);
      sigaction(SIGCHLD, &dfl, NULL);
      run_shim(req, in[0], out[1], err[1], status[1]);
    }
  }
  int saved = errno;
  for (int *fd = (int[]){in[0], out[1], err[1], status[1]}, i = 0; i < 4; i++) if (fd[i] >= 0) close(fd[i]);
  if (!ok || shim < 0) {
    for (int *fd = (int[]){in[1], out[0], err[0], status[0]}, i = 0; i < 4; i++) if (fd[i] >= 0) close(fd[i]);
    snprintf(why, whylen, "cannot start the command: %s", strerror(saved));
    return -1;
  }
  s->shim = shim;
  s->main = 0;
  /* The shim's first word, written before anything else it does: a blocking read of a moment. */
  while (read(status[0], &s->main, sizeof s->main) < 0 && errno == EINTR) {}
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
