/* Walking /proc for a tree: parent links and start times from /proc/<pid>/stat, markers from environ. */
#include "tree.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct proc {
  pid_t pid;
  pid_t ppid;
  pid_t pgrp;
  unsigned long long start;
  char picked;
};

struct table {
  struct proc *v;
  size_t n;
  size_t cap;
};

static ssize_t read_file(const char *path, char **buf, size_t *cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t len = 0;
  for (;;) {
    if (len + 1 >= *cap) {
      size_t ncap = *cap ? *cap * 2 : 4096;
      char *nbuf = realloc(*buf, ncap);
      if (!nbuf) { close(fd); return -1; }
      *buf = nbuf;
      *cap = ncap;
    }
    ssize_t r = read(fd, *buf + len, *cap - len - 1);
    if (r < 0) { close(fd); return -1; }
    if (r == 0) break;
    len += (size_t)r;
  }
  close(fd);
  (*buf)[len] = '\0';
  return (ssize_t)len;
}

/* Parent, process group and start time (field 22) from a stat line; the command name may hold spaces and parentheses. */
static int parse_stat(const char *line, pid_t *ppid, pid_t *pgrp, unsigned long long *start) {
  const char *p = strrchr(line, ')');
  if (!p) return -1;
  p++;
  int field = 2;
  while (*p && field < 22) {
    while (*p == ' ') p++;
    field++;
    if (field == 4) *ppid = (pid_t)strtol(p, NULL, 10);
    if (field == 5) *pgrp = (pid_t)strtol(p, NULL, 10);
    if (field == 22) { *start = strtoull(p, NULL, 10); return 0; }
    while (*p && *p != ' ') p++;
  }
  return -1;
}

static int scan(struct table *t) {
  static char *buf;
  static size_t cap;
  t->n = 0;
  DIR *d = opendir("/proc");
  if (!d) return -1;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!isdigit((unsigned char)e->d_name[0])) continue;
    struct proc pr = {.pid = (pid_t)atoi(e->d_name)};
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pr.pid);
    if (read_file(path, &buf, &cap) < 0 || parse_stat(buf, &pr.ppid, &pr.pgrp, &pr.start) < 0) continue;
    if (t->n == t->cap) {
      size_t ncap = t->cap ? t->cap * 2 : 256;
      struct proc *nv = realloc(t->v, ncap * sizeof *nv);
      if (!nv) break;
      t->v = nv;
      t->cap = ncap;
    }
    t->v[t->n++] = pr;
  }
  closedir(d);
  return 0;
}

static struct proc *find(struct table *t, pid_t pid) {
  for (size_t i = 0; i < t->n; i++) if (t->v[i].pid == pid) return &t->v[i];
  return NULL;
}

/* Marks (picked = 1) every process below one already marked, until nothing changes. */
static void spread(struct table *t) {
  for (int changed = 1; changed;) {
    changed = 0;
    for (size_t i = 0; i < t->n; i++) {
      if (t->v[i].picked) continue;
      struct proc *parent = find(t, t->v[i].ppid);
      if (parent && parent->picked) { t->v[i].picked = 1; changed = 1; }
    }
  }
}

/* Marks the tree below root with `mark`; root itself is marked 2 and never signalled. */
static void mark_tree(struct table *t, pid_t root) {
  for (size_t i = 0; i < t->n; i++) t->v[i].picked = t->v[i].pid == root;
  spread(t);
  struct proc *r = find(t, root);
  if (r) r->picked = 2;
}

/*
 * SIGKILL to each process group of the tree (tree.h says why). A group the tree made holds only the
 * tree (its members share the session the command's setsid made); the root's group, and the agent's,
 * are passed over: a child between fork and setsid is still in them. So is `had`, which this signal
 * reached already: the kernel's signal to a group misses none of it, a racing fork included.
 */
static int kill_groups(struct table *t, pid_t root, pid_t had) {
  struct proc *r = find(t, root);
  pid_t skip = r ? r->pgrp : 0, ours = getpgrp();
  int count = 0;
  for (size_t i = 0; i < t->n; i++) {
    pid_t g = t->v[i].pgrp;
    if (t->v[i].picked != 1 || g <= 1 || g == skip || g == ours || g == had) continue;
    int seen = 0;
    for (size_t j = 0; j < i && !seen; j++) seen = t->v[j].picked == 1 && t->v[j].pgrp == g;
    if (!seen && kill(-g, SIGKILL) == 0) count++;
  }
  return count;
}

/* Signals the marked processes, but those of process group `had` (0: none), which the group's signal reached. */
static int signal_picked(struct table *t, int sig, pid_t had) {
  int count = 0;
  for (size_t i = 0; i < t->n; i++) {
    if (t->v[i].picked == 1 && (had <= 1 || t->v[i].pgrp != had) && kill(t->v[i].pid, sig) == 0) count++;
  }
  return count;
}

int tree_signal(pid_t root, pid_t group, int sig) {
  static struct table t;
  pid_t had = group > 1 && kill(-group, sig) == 0 ? group : 0;
  int groups = had != 0;
  if (scan(&t) < 0) return groups;
  mark_tree(&t, root);
  if (sig == SIGKILL) groups += kill_groups(&t, root, had);
  int count = signal_picked(&t, sig, had);
  return count ? count : groups;
}

/* The value of POCKETDOCK_EXEC in a process's environment: "" when it has none, NULL when unreadable. */
static const char *marker_of(pid_t pid) {
  static char *buf;
  static size_t cap;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
  ssize_t len = read_file(path, &buf, &cap);
  if (len < 0) return NULL;
  size_t vlen = strlen(MARKER_VAR);
  for (char *p = buf; p < buf + len; p += strlen(p) + 1) {
    if (strncmp(p, MARKER_VAR, vlen) == 0) return p + vlen;
  }
  return "";
}

int tree_signal_marked(pid_t root, pid_t shell, int sig, const char *marker, unsigned long long since) {
  static struct table t;
  if (scan(&t) < 0) return 0;
  const char *own = marker_of(shell);
  char *shell_marker = strdup(own ? own : "");
  mark_tree(&t, root);
  for (size_t i = 0; i < t.n; i++) {
    if (t.v[i].picked != 1 || t.v[i].pid == shell) { t.v[i].picked = 0; continue; }
    const char *m = marker_of(t.v[i].pid);
    int since_note = t.v[i].start >= since && m && (!*m || (shell_marker && strcmp(m, shell_marker) == 0));
    t.v[i].picked = (m && strcmp(m, marker) == 0) || since_note;
  }
  free(shell_marker);
  spread(&t);
  return signal_picked(&t, sig, 0);
}

unsigned long long ticks_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  long hz = sysconf(_SC_CLK_TCK);
  return (unsigned long long)ts.tv_sec * (unsigned long long)hz + (unsigned long long)ts.tv_nsec / (1000000000ull / (unsigned long long)hz);
}
