/* Writing one frame: header and payload in a single writev, retried until all of it is written. */
#include "frame.h"

#include <errno.h>
#include <sys/uio.h>

void put_u32(unsigned char *p, uint32_t v) {
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = (v >> 24) & 0xff;
}

int frame_send(int fd, char type, uint32_t id, const void *data, size_t len) {
  unsigned char header[FRAME_HEADER];
  header[0] = (unsigned char)type;
  put_u32(header + 1, id);
  put_u32(header + 5, (uint32_t)len);
  struct iovec iov[2] = {{header, FRAME_HEADER}, {(void *)data, len}};
  int n = len ? 2 : 1;
  struct iovec *v = iov;
  while (n > 0) {
    ssize_t w = writev(fd, v, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    while (n > 0 && (size_t)w >= v->iov_len) {
      w -= (ssize_t)v->iov_len;
      v++;
      n--;
    }
    if (n > 0) {
      v->iov_base = (char *)v->iov_base + w;
      v->iov_len -= (size_t)w;
    }
  }
  return 0;
}
