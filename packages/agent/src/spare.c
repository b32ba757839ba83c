/* The spare shell (see spare.h). */
#include "spare.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tree.h"

static struct spawned spare = {.shim = -1};
static int have;
static int usable = -1; /* -1: not yet known whether sh is dash */

/* The first `sh` on PATH, as execvpe finds it (its default PATH when there is none), is dash. */
static int sh_is_dash(void) {
  const char *path = getenv("PATH");
  if (!path) path = "/bin:/usr/bin";
  for (const char *p = path; *p;) {
    size_t len = strcspn(p, ":");
    char candidate[PATH_MAX], real[PATH_MAX];
    if (len > 0 && snprintf(candidate, sizeof candidate, "%.*s/sh", (int)len, p) < (int)sizeof candidate &&
        access(candidate, X_OK) == 0) {
      if (!realpath(candidate, real)) return 0;
      const char *base = strrchr(real, '/');
      return strcmp(base ? base + 1 : real, "dash") == 0;
    }
    p += len + (p[len] == ':');
  }
  return 0;
}

int spare_wanted(void) {
  return !have && usable != 0;
}

void spare_make(void) {
  if (have) return;
  if (usable < 0) usable = sh_is_dash();
  if (!usable) return;
  char *argv[] = {"sh", "-s", NULL}, *env[] = {NULL}, why[256];
  struct spawn_req req = {.with_stdin = 1, .argv = argv, .env = env, .cwd = ""};
  /* A shell that could not start is not tried again: requests start cold, and say why if they cannot. */
  if (spawn_command(&req, &spare, why, sizeof why) < 0) {
    usable = 0;
    return;
  }
  have = 1; /* until its shim is reaped, even when its shell never ran */
  if (spare.main <= 0) usable = 0;
}

/*
 * The script goes in one write no longer than PIPE_BUF, so the shell reads it whole: before it its
 * environment marker, and its stdin moved to /dev/null, on the script's first line (its line
 * numbers, in error messages, stay those of `sh -c`).
 */
int spare_take(const struct spawn_req *req, struct spawned *s) {
  if (!have || spare.main <= 0 || req->with_stdin || req->cwd[0] || !req->argv[0] || !req->argv[1] || !req->argv[2] || req->argv[3] ||
      strcmp(req->argv[0], "sh") != 0 || strcmp(req->argv[1], "-c") != 0 || !req->env[0] || req->env[1] ||
      strncmp(req->env[0], MARKER_VAR, strlen(MARKER_VAR)) != 0)
    return 0;
  const char *marker = req->env[0] + strlen(MARKER_VAR);
  if (strchr(marker, '\'')) return 0;
  char script[PIPE_BUF];
  int n = snprintf(script, sizeof script, "export %.*s'%s'; exec </dev/null; %s", (int)strlen(MARKER_VAR), req->env[0], marker, req->argv[2]);
  if (n < 0 || n >= (int)sizeof script) return 0;
  ssize_t w;
  while ((w = write(spare.in, script, (size_t)n)) < 0 && errno == EINTR) {}
  if (w != n) return 0; /* the spare died: its shim is reaped as it ends */
  close(spare.in);
  *s = spare;
  s->in = -1;
  have = 0;
  return 1;
}

int spare_reaped(pid_t pid) {
  if (!have || pid != spare.shim) return 0;
  for (int *fd = (int[]){spare.in, spare.out, spare.err, spare.status}, i = 0; i < 4; i++) close(fd[i]);
  spawn_release(spare.stack);
  have = 0;
  return 1;
}
