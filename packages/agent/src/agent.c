/*
 * pocketdock-agent: one long-lived supervisor per sandbox, started by the daemon through one engine
 * exec. It reads requests on stdin and writes every command's output, exit and end on stdout,
 * framed as frame.h says — the daemon's door (door.h) in their place when it has one. It is a child subreaper too, so that a shim killed from inside the
 * sandbox leaves its orphans to the agent rather than to the container's init.
 *
 * When the daemon goes away (stdin ends or stdout breaks), running commands keep running, as an
 * engine exec's would: their output is read and dropped until a new daemon takes them over
 * (handover.h), and an agent left without a daemon exits once they have all ended. A daemon that
 * takes an agent over hears EV_READY and EV_LIST as from a new one, the list naming what still runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "door.h"
#include "frame.h"
#include "handover.h"
#include "spare.h"
#include "spawn.h"
#include "tree.h"

/* Most output bytes per frame: one read from a command's pipe. */
#define CHUNK (256 * 1024)
/* Stdin bytes held for a command that does not read them: beyond, the agent stops reading requests. */
#define STDIN_HELD (4u * 1024 * 1024)
#define SWEEP_MS 10
/* The spare shell (spare.h) is made once no command started this long ago runs: its start blocks the agent. */
#define SPARE_QUIET_MS 20
/* How long an agent without a daemon keeps the exit codes of commands that ended meanwhile. */
#define LINGER_MS (10ull * 60 * 1000)
/* Poll slots before the commands' own: wakeups, requests, the handover socket, the handing agent. */
#define FIXED 4

struct cmd {
  uint32_t id;
  pid_t shim;
  void *stack; /* the shim's (spawn.h) */
  pid_t main;
  unsigned long long born; /* now_ms() at its start */
  int in, out, err, status;
  char *pending; /* stdin not yet taken by the command */
  size_t pending_len;
  int close_in;  /* close stdin once pending is written */
  uint64_t sent;  /* output bytes sent, both streams */
  uint64_t limit; /* no more output bytes than this are sent (OP_FLOW) */
  int main_done; /* the command's own process has ended, with `code` */
  int code;
  int exited;    /* EV_EXIT sent */
  int shim_done; /* the tree is empty: EV_GONE follows EV_EXIT */
  int dead;      /* to be freed at the top of the loop */
  int sweeping;  /* SIGKILL the tree every SWEEP_MS until it is empty */
  char *marker;  /* the session command noted last, and when */
  unsigned long long since;
  char *exec_id; /* its POCKETDOCK_EXEC, by which a new daemon knows it (EV_LIST) */
  int unheard;   /* ended whole while no daemon listened: kept, for its exit code, for the next one */
  struct cmd *next;
};

static struct cmd *cmds;
static int daemon_gone;
static int linked = 1;     /* fds 0 and 1 still hold a daemon's stream (let go once it has gone) */
static int listener = -1;  /* the handover socket, -1 without one */
static int link_fd = -1;   /* the connection of the agent that handed this one its daemon */
static int reading = 1;
static unsigned long long linger_until; /* an agent left with commands that ended unheard waits until then */
static unsigned char *in;  /* requests read and not yet whole */
static size_t in_len, in_cap;
static int wake[2];
static char chunk[CHUNK];

static void on_child(int sig) {
  (void)sig;
  int saved = errno;
  if (write(wake[1], "", 1) < 0) { /* the pipe is full: a wakeup is already pending */ }
  errno = saved;
}

static void emit(char type, uint32_t id, const void *data, size_t len) {
  if (daemon_gone) return;
  if (frame_send(1, type, id, data, len) < 0) daemon_gone = 1;
}

static void emit_u32(char type, uint32_t id, uint32_t v) {
  emit(type, id, &v, sizeof v);
}

/* A dead command is skipped, not an end of the search: one that died earlier in this turn of the loop is still listed. */
static struct cmd *find(uint32_t id) {
  for (struct cmd *c = cmds; c; c = c->next) if (c->id == id && !c->dead) return c;
  return NULL;
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

/* Output bytes the command may still send now (all of them once the daemon has gone). */
static size_t room(const struct cmd *c) {
  if (daemon_gone) return CHUNK;
  uint64_t left = c->limit > c->sent ? c->limit - c->sent : 0;
  return left < CHUNK ? (size_t)left : CHUNK;
}

/* Reads one piece of a command's stdout or stderr, as far as its room goes; on its end, closes it. 1 when bytes came. */
static int pump(struct cmd *c, int *fd, char type) {
  size_t max = room(c);
  if (max == 0) return 0;
  ssize_t r = read(*fd, chunk, max);
  if (r > 0) {
    c->sent += (uint64_t)r;
    emit(type, c->id, chunk, (size_t)r);
    return 1;
  }
  if (r == 0 || (errno != EAGAIN && errno != EINTR)) close_fd(fd);
  return 0;
}

static unsigned long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (unsigned long long)t.tv_sec * 1000 + (unsigned long long)t.tv_nsec / 1000000;
}

/*
 * Nothing of the command is left. One that ended while no daemon listened is kept for its exit
 * code, which the next daemon hears (EV_LIST), if one comes within LINGER_MS.
 */
static void gone(struct cmd *c) {
  emit(EV_GONE, c->id, NULL, 0);
  if (daemon_gone && c->exec_id) {
    c->unheard = 1;
    c->pending_len = 0;
    linger_until = now_ms() + LINGER_MS;
  } else {
    c->dead = 1;
  }
}

/*
 * Once the command itself has ended, what its pipes hold is sent (as its room allows), then its
 * exit code, then — once its tree is empty — EV_GONE. A background child still holding the pipes
 * does not delay the exit, as with an engine exec: the pipes close.
 */
static void try_finish(struct cmd *c) {
  if (!c->main_done || c->exited) return;
  while (c->out >= 0 && pump(c, &c->out, EV_STDOUT)) {}
  while (c->err >= 0 && pump(c, &c->err, EV_STDERR)) {}
  if (room(c) == 0 && (c->out >= 0 || c->err >= 0)) return; /* more may wait in the pipes: after OP_FLOW */
  close_fd(&c->out);
  close_fd(&c->err);
  close_fd(&c->in);
  c->exited = 1;
  emit_u32(EV_EXIT, c->id, (uint32_t)c->code);
  if (c->shim_done) gone(c);
}

/* The shim wrote the command's exit code, or ended without one. */
static void main_ended(struct cmd *c) {
  if (c->main_done) return;
  if (c->status < 0 || read(c->status, &c->code, sizeof c->code) != sizeof c->code) c->code = -1;
  close_fd(&c->status);
  c->main_done = 1;
  try_finish(c);
}

static void free_dead(void) {
  for (struct cmd **p = &cmds; *p;) {
    struct cmd *c = *p;
    if (!c->dead) { p = &c->next; continue; }
    *p = c->next;
    close_fd(&c->in);
    close_fd(&c->out);
    close_fd(&c->err);
    close_fd(&c->status);
    free(c->pending);
    free(c->marker);
    free(c->exec_id);
    free(c);
  }
}

/* Reaps every child that ended: a shim's end means its tree is empty. */
static void reap(void) {
  char sink[64];
  while (read(wake[0], sink, sizeof sink) > 0) {}
  for (;;) {
    int st;
    pid_t p = waitpid(-1, &st, WNOHANG);
    if (p <= 0) break;
    struct cmd *c = cmds;
    while (c && (c->dead || c->unheard || c->shim != p)) c = c->next;
    if (!c) { spare_reaped(p); continue; } /* the spare's shim, or an orphan the agent adopted */
    c->shim_done = 1;
    spawn_release(c->stack);
    c->stack = NULL;
    c->sweeping = 0;
    if (c->exited) gone(c);
    else main_ended(c);
  }
}

static uint64_t get_u64(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

static uint32_t get_u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Splits `count` NUL-terminated strings off the front of [*p, end) into a NULL-terminated array. */
static char **strings(char **p, char *end, uint32_t count) {
  if (count > (uint32_t)(end - *p)) return NULL;
  char **v = calloc((size_t)count + 1, sizeof *v);
  if (!v) return NULL;
  for (uint32_t i = 0; i < count; i++) {
    char *nul = memchr(*p, '\0', (size_t)(end - *p));
    if (!nul) { free(v); return NULL; }
    v[i] = *p;
    *p = nul + 1;
  }
  return v;
}

static void spawn(uint32_t id, unsigned char *data, uint32_t len) {
  char why[256] = "malformed spawn request";
  char **argv = NULL, **env = NULL;
  struct spawn_req req = {0};
  struct spawned s;
  int ok = 0;
  if (find(id)) snprintf(why, sizeof why, "command id %u is in use", id);
  else if (len >= 20) {
    char *p = (char *)data + 20, *end = (char *)data + len;
    uint32_t argc = get_u32(data + 4), envc = get_u32(data + 8);
    argv = strings(&p, end, argc);
    env = argv ? strings(&p, end, envc) : NULL;
    char **cwd = env ? strings(&p, end, 1) : NULL;
    if (cwd && argc > 0) {
      req = (struct spawn_req){.with_stdin = (get_u32(data) & SPAWN_STDIN) != 0, .argv = argv, .env = env, .cwd = cwd[0]};
      ok = spare_take(&req, &s) || spawn_command(&req, &s, why, sizeof why) == 0;
    }
    free(cwd);
  }
  char *exec_id = NULL;
  for (char **e = env; ok && *e && !exec_id; e++)
    if (strncmp(*e, MARKER_VAR, strlen(MARKER_VAR)) == 0) exec_id = strdup(*e + strlen(MARKER_VAR));
  free(argv);
  free(env);
  if (!ok) { emit(EV_FAIL, id, why, strlen(why)); return; }
  struct cmd *c = calloc(1, sizeof *c);
  if (!c) abort();
  *c = (struct cmd){.id = id, .shim = s.shim, .stack = s.stack, .main = s.main, .born = now_ms(), .in = s.in, .out = s.out, .err = s.err, .status = s.status,
                    .limit = get_u64(data + 12), .exec_id = exec_id, .next = cmds};
  cmds = c;
}

static void stdin_data(struct cmd *c, const unsigned char *data, uint32_t len) {
  if (c->in < 0) return;
  char *grown = realloc(c->pending, c->pending_len + len);
  if (!grown) abort();
  memcpy(grown + c->pending_len, data, len);
  c->pending = grown;
  c->pending_len += len;
}

static void flush_stdin(struct cmd *c) {
  while (c->in >= 0 && c->pending_len > 0) {
    ssize_t w = write(c->in, c->pending, c->pending_len);
    if (w < 0) {
      if (errno == EAGAIN) return;
      if (errno == EINTR) continue;
      close_fd(&c->in); /* the command closed its stdin */
      break;
    }
    memmove(c->pending, c->pending + w, c->pending_len - (size_t)w);
    c->pending_len -= (size_t)w;
  }
  c->pending_len = c->in < 0 ? 0 : c->pending_len;
  if (c->close_in && c->pending_len == 0) close_fd(&c->in);
}

/*
 * A signal to a command's tree, SIGKILL to its own process group first (tree.h). Also once the main
 * process is gone (a bomb's shell ends at the SIGTERM, its forks do not): the kernel gives no process a
 * pid still used as a group's id, so while the tree is not gone the number is the group's, or free, or
 * taken by a process after the pid counter wrapped around, which is hit only if it leads a group of its own.
 */
static int signal_tree(struct cmd *c, int sig) {
  return tree_signal(c->shim, c->shim_done ? 0 : c->main, sig);
}

static void handle(char op, uint32_t id, unsigned char *data, uint32_t len) {
  if (op == OP_SPAWN) { spawn(id, data, len); return; }
  struct cmd *c = find(id);
  if (op == OP_SIGNAL || op == OP_MARKED) {
    int count = 0;
    if (c && len >= 4) {
      int sig = (int)get_u32(data);
      if (op == OP_SIGNAL && len >= 8 && get_u32(data + 4) == SIGNAL_MAIN) {
        count = c->main > 0 && !c->main_done && kill(c->main, sig) == 0;
      } else if (op == OP_SIGNAL) {
        count = signal_tree(c, sig);
        if (sig == SIGKILL) c->sweeping = 1;
      } else {
        char *marker = strndup((char *)data + 4, len - 4);
        unsigned long long since = c->marker && marker && strcmp(c->marker, marker) == 0 ? c->since : ~0ull;
        count = marker ? tree_signal_marked(c->shim, c->main, sig, marker, since) : 0;
        /* A KILL is repeated until nothing matches: what forked during the scan goes too. */
        for (int round = 0, n = count; sig == SIGKILL && n > 0 && round < 100; round++) {
          usleep(2000);
          n = tree_signal_marked(c->shim, c->main, sig, marker, since);
        }
        free(marker);
      }
    }
    emit_u32(EV_ACK, id, (uint32_t)count);
    return;
  }
  if (!c) return; /* the command has gone: late stdin, flow or notes are moot */
  if (op == OP_STDIN) stdin_data(c, data, len);
  else if (op == OP_CLOSE) c->close_in = 1;
  else if (op == OP_FLOW && len >= 8) {
    c->limit = get_u64(data);
    try_finish(c);
  }
  else if (op == OP_NOTE) {
    free(c->marker);
    c->marker = strndup((char *)data, len);
    c->since = ticks_now();
  }
  flush_stdin(c);
}

/* In how many ms the spare shell may be made (spare.h): 0 now, later while a young command runs, -1 never. */
static int spare_due(unsigned long long now) {
  if (!spare_wanted()) return -1;
  unsigned long long youngest = 0;
  for (struct cmd *c = cmds; c; c = c->next)
    if (!c->main_done && !c->dead && c->born > youngest) youngest = c->born;
  return youngest + SPARE_QUIET_MS > now ? (int)(youngest + SPARE_QUIET_MS - now) : 0;
}

/* Takes whole requests off the front of `buf`; returns how many bytes were used, -1 for a broken stream. */
static ssize_t requests(unsigned char *buf, size_t len) {
  size_t used = 0;
  while (len - used >= FRAME_HEADER) {
    uint32_t plen = get_u32(buf + used + 5);
    if (plen > FRAME_MAX) return -1;
    if (len - used < FRAME_HEADER + plen) break;
    handle((char)buf[used], get_u32(buf + used + 1), buf + used + FRAME_HEADER, plen);
    used += FRAME_HEADER + plen;
  }
  return (ssize_t)used;
}

static size_t held_stdin(void) {
  size_t n = 0;
  for (struct cmd *c = cmds; c; c = c->next) n += c->pending_len;
  return n;
}

/* EV_READY, then EV_LIST: what runs, for a daemon that takes this agent over (nothing, for a new one). */
static void announce(void) {
  emit(EV_READY, 0, VERSION_LINE " " AGENT_BUILD, strlen(VERSION_LINE " " AGENT_BUILD));
  size_t len = 0, cap = 0;
  unsigned char *list = NULL;
  for (struct cmd *c = cmds; c; c = c->next) {
    if (c->dead) continue;
    const char *exec_id = c->exec_id ? c->exec_id : "";
    size_t rec = 20 + strlen(exec_id) + 1;
    if (len + rec > FRAME_MAX) break;
    if (len + rec > cap) {
      cap = (len + rec) * 2;
      list = realloc(list, cap);
      if (!list) abort();
    }
    put_u32(list + len, c->id);
    put_u32(list + len + 4, (c->in >= 0 ? LIVE_STDIN : 0) | (c->exited ? LIVE_EXITED : 0) | (c->unheard ? LIVE_GONE : 0));
    put_u32(list + len + 8, (uint32_t)c->code);
    put_u32(list + len + 12, (uint32_t)c->sent);
    put_u32(list + len + 16, (uint32_t)(c->sent >> 32));
    memcpy(list + len + 20, exec_id, strlen(exec_id) + 1);
    len += rec;
  }
  emit(EV_LIST, 0, list, len);
  free(list);
  for (struct cmd *c = cmds; c; c = c->next) if (c->unheard) c->dead = 1; /* told */
}

/*
 * The daemon has gone: its stream is let go (so that the exec it came by can end) and commands
 * whose end waited for it to read their output finish unheard.
 */
static void let_go(void) {
  linked = 0;
  reading = 0;
  in_len = 0;
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    for (int fd = 0; fd < 3; fd++) dup2(null, fd);
    if (null > 2) close(null);
  }
  close_fd(&link_fd);
  for (struct cmd *c = cmds; c; c = c->next) if (!c->dead) try_finish(c);
}

/* Another agent offered its daemon's stream: taken when this agent has none. */
static void offered(void) {
  int stdio[3];
  int conn = handover_accept(listener, stdio);
  if (conn < 0) return;
  int take = stdio[0] >= 0 && !linked && write(conn, "Y", 1) == 1;
  for (int fd = 0; fd < 3; fd++) {
    if (take) dup2(stdio[fd], fd);
    if (stdio[fd] >= 0) close(stdio[fd]);
  }
  if (!take) {
    close(conn);
    return;
  }
  link_fd = conn;
  linked = 1;
  daemon_gone = 0;
  reading = 1;
  /* The new daemon counts output from the `sent` it is told, and sets its own limits. */
  for (struct cmd *c = cmds; c; c = c->next) c->limit = UINT64_MAX;
  announce();
}

/* The listening socket, when the agent's directory is private: without it, no daemon can take the agent over. */
static char sock_path[PATH_MAX];

static void listen_for_handover(const char *dir) {
  listener = handover_listen(dir, sock_path, sizeof sock_path);
  if (listener < 0) fprintf(stderr, "pocketdock-agent: no handover socket in %s: %s\n", dir, strerror(errno));
}

/* argv: the daemon's door and this launch's token, when it has one (door.h). */
int main(int argc, char **argv) {
  if (argc == 3 && door_open(argv[1], argv[2]) < 0) {
    /* One write: the daemon hears stderr in the pieces it comes in. */
    char why[PATH_MAX + 128];
    int n = snprintf(why, sizeof why, "pocketdock-agent: no door at %s (%s): talking over the exec's stream\n", argv[1], strerror(errno));
    if (n > 0 && write(2, why, (size_t)n < sizeof why ? (size_t)n : sizeof why - 1) < 0) { /* nobody to tell */ }
  }
  char dir[PATH_MAX];
  int private_dir = handover_dir(dir, sizeof dir) == 0;
  if (private_dir && handover_offer(dir)) return 0;
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  signal(SIGPIPE, SIG_IGN);
  if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) < 0) return 1;
  struct sigaction sa = {.sa_handler = on_child, .sa_flags = SA_RESTART | SA_NOCLDSTOP};
  sigaction(SIGCHLD, &sa, NULL);
  if (private_dir) listen_for_handover(dir);
  else fprintf(stderr, "pocketdock-agent: no private directory for a handover socket beside %s\n", dir);
  announce();

  struct pollfd *fds = NULL;
  struct cmd **owner = NULL;
  size_t fds_cap = 0;
  /* Left without a daemon, the agent lives as long as a command does, and the exit codes of those that ended meanwhile. */
  for (;;) {
    free_dead();
    if (daemon_gone && linked) let_go();
    int running = 0;
    for (struct cmd *c = cmds; c; c = c->next) running += !c->unheard;
    unsigned long long now = now_ms();
    int lingering = daemon_gone && !running && cmds && now < linger_until;
    if (daemon_gone && !running && !lingering) break;
    int spare_in = daemon_gone ? -1 : spare_due(now);
    if (spare_in == 0) {
      spare_make();
      spare_in = -1;
    }
    size_t n = FIXED;
    for (struct cmd *c = cmds; c; c = c->next) n += 4;
    if (n > fds_cap) {
      fds_cap = n * 2;
      fds = realloc(fds, fds_cap * sizeof *fds);
      owner = realloc(owner, fds_cap * sizeof *owner);
      if (!fds || !owner) abort();
    }
    size_t k = 0;
    int sweeping = 0;
    fds[k] = (struct pollfd){.fd = wake[0], .events = POLLIN};
    owner[k++] = NULL;
    fds[k] = (struct pollfd){.fd = reading && held_stdin() < STDIN_HELD ? 0 : -1, .events = POLLIN};
    owner[k++] = NULL;
    fds[k] = (struct pollfd){.fd = listener, .events = POLLIN};
    owner[k++] = NULL;
    /* The handing agent never writes: any event on its connection is its end, and the stream's. */
    fds[k] = (struct pollfd){.fd = link_fd, .events = POLLIN};
    owner[k++] = NULL;
    for (struct cmd *c = cmds; c; c = c->next) {
      int drain = room(c) > 0;
      int list[4] = {drain ? c->out : -1, drain ? c->err : -1, c->status, c->pending_len ? c->in : -1};
      for (int i = 0; i < 4; i++) {
        fds[k] = (struct pollfd){.fd = list[i], .events = i == 3 ? POLLOUT : POLLIN};
        owner[k++] = c;
      }
      sweeping |= c->sweeping;
    }
    int timeout = sweeping ? SWEEP_MS : lingering ? (int)(linger_until - now) : -1;
    if (spare_in > 0 && (timeout < 0 || spare_in < timeout)) timeout = spare_in;
    int ready = poll(fds, k, timeout);
    if (ready < 0 && errno != EINTR) return 1;
    if (sweeping) {
      for (struct cmd *c = cmds; c; c = c->next) if (c->sweeping) signal_tree(c, SIGKILL);
    }
    if (ready <= 0) continue;
    /* Commands first: `owner` entries point at commands that reap() or a request may free. */
    for (size_t i = FIXED; i < k; i++) {
      struct cmd *c = owner[i];
      if (!fds[i].revents) continue;
      switch ((i - FIXED) % 4) {
        case 0: pump(c, &c->out, EV_STDOUT); break;
        case 1: pump(c, &c->err, EV_STDERR); break;
        case 2: main_ended(c); break;
        case 3: flush_stdin(c); break;
      }
      try_finish(c);
    }
    if (fds[3].revents) daemon_gone = 1;
    if (fds[1].revents && !daemon_gone) {
      if (in_len == in_cap) {
        in_cap = in_cap ? in_cap * 2 : 64 * 1024;
        if (in_cap > FRAME_MAX * 2 + FRAME_HEADER * 2) in_cap = FRAME_MAX * 2 + FRAME_HEADER * 2;
        in = realloc(in, in_cap);
        if (!in) abort();
      }
      ssize_t r = read(0, in + in_len, in_cap - in_len);
      if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) daemon_gone = 1;
      if (r > 0) {
        in_len += (size_t)r;
        ssize_t used = requests(in, in_len);
        if (used < 0) {
          fprintf(stderr, "pocketdock-agent: malformed request stream\n");
          daemon_gone = 1;
        } else {
          memmove(in, in + used, in_len - (size_t)used);
          in_len -= (size_t)used;
        }
      }
    }
    if (fds[0].revents) reap();
    if (fds[2].revents) {
      if (daemon_gone && linked) let_go();
      offered();
    }
  }
  if (listener >= 0) unlink(sock_path);
  return 0;
}
