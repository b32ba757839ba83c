/* Opening the daemon's door (door.h). */
#include "door.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int door_open(const char *path, const char *token) {
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof a.sun_path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  strcpy(a.sun_path, path);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -1;
  size_t len = strlen(token), done = 0;
  if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) goto fail;
  while (done < len) {
    ssize_t w = write(s, token + done, len - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) goto fail;
    done += (size_t)w;
  }
  if (dup2(s, 0) < 0 || dup2(s, 1) < 0) goto fail;
  close(s);
  return 0;
fail:;
  int saved = errno;
  close(s);
  errno = saved;
  return -1;
}
