/* The handover socket (handover.h). */
#include "handover.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "frame.h"

/* Socket names carry the build: an agent is only ever handed a daemon that runs its own build. */
#define PREFIX "agent-" AGENT_BUILD "-"
#define SUFFIX ".sock"
/* How long either side waits for the other's one message: a stuck agent must not hang the new daemon's start. */
#define REPLY_SECONDS 2

static void limit_wait(int s, int seconds) {
  struct timeval tv = {.tv_sec = seconds};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

int handover_dir(char *dir, size_t len) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return -1;
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (!slash) return -1;
  *slash = '\0';
  uid_t uid = geteuid();
  if ((size_t)snprintf(dir, len, "%s/.pocketdock-%u", exe, (unsigned)uid) >= len) return -1;
  if (mkdir(dir, 0700) < 0 && errno != EEXIST) return -1;
  /* Made by someone else, a link, or open to others: not a place to hand a daemon's stream over. */
  struct stat st;
  if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != uid || (st.st_mode & 077)) return -1;
  return 0;
}

static int address(struct sockaddr_un *a, const char *path) {
  *a = (struct sockaddr_un){.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof a->sun_path) return -1;
  strcpy(a->sun_path, path);
  return 0;
}

static int send_stdio(int s) {
  char byte = 'H';
  struct iovec iov = {&byte, 1};
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(3 * sizeof(int))];
  } u;
  memset(&u, 0, sizeof u);
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(3 * sizeof(int));
  int fds[3] = {0, 1, 2};
  memcpy(CMSG_DATA(c), fds, sizeof fds);
  return sendmsg(s, &m, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* 1 when the agent listening at `path` took our stdio (then returns once it let go). */
static int offer_to(const char *path) {
  struct sockaddr_un a;
  if (address(&a, path) < 0) return 0;
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return 0;
  if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
    if (errno == ECONNREFUSED) unlink(path); /* its agent was killed */
    close(s);
    return 0;
  }
  limit_wait(s, REPLY_SECONDS);
  char reply = 0;
  if (send_stdio(s) < 0 || read(s, &reply, 1) != 1 || reply != 'Y') {
    close(s); /* it has a daemon, or does not answer */
    return 0;
  }
  int null = open("/dev/null", O_RDWR);
  for (int fd = 0; fd < 3; fd++) dup2(null, fd);
  if (null > 2) close(null);
  limit_wait(s, 0);
  char sink[64];
  for (;;) {
    ssize_t r = read(s, sink, sizeof sink);
    if (r > 0 || (r < 0 && errno == EINTR)) continue;
    break;
  }
  close(s);
  return 1;
}

int handover_offer(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  int taken = 0;
  size_t plen = strlen(PREFIX), slen = strlen(SUFFIX);
  for (struct dirent *e; !taken && (e = readdir(d));) {
    size_t n = strlen(e->d_name);
    if (n < plen + slen || strncmp(e->d_name, PREFIX, plen) != 0 || strcmp(e->d_name + n - slen, SUFFIX) != 0) continue;
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= sizeof path) continue;
    taken = offer_to(path);
  }
  closedir(d);
  return taken;
}

int handover_listen(const char *dir, char *path, size_t len) {
  struct sockaddr_un a;
  if ((size_t)snprintf(path, len, "%s/" PREFIX "%d" SUFFIX, dir, (int)getpid()) >= len || address(&a, path) < 0) return -1;
  unlink(path); /* left by an earlier process of this pid */
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s < 0) return -1;
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 4) < 0) {
    close(s);
    return -1;
  }
  return s;
}

int handover_accept(int lfd, int stdio[3]) {
  stdio[0] = stdio[1] = stdio[2] = -1;
  int s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
  if (s < 0) return -1;
  struct ucred cred;
  socklen_t clen = sizeof cred;
  int same_user = getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 && cred.uid == geteuid();
  limit_wait(s, REPLY_SECONDS);
  char byte;
  struct iovec iov = {&byte, 1};
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(4 * sizeof(int))];
  } u;
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  if (recvmsg(s, &m, MSG_CMSG_CLOEXEC) != 1) return s;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    int fds[4];
    memcpy(fds, CMSG_DATA(c), n * sizeof(int));
    if (n == 3 && same_user && stdio[0] < 0) {
      memcpy(stdio, fds, sizeof fds[0] * 3);
    } else {
      for (size_t i = 0; i < n; i++) close(fds[i]);
    }
  }
  return s;
}
