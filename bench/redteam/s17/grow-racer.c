/* S17H: wait until the file is opened (inotify IN_OPEN, any user who can read it may watch),
 * sleep DELAY_MS (past the reader's fstat), then extend it to SIZE with a hole (no disk).
 * A reader that reads to EOF rather than to the size fstat gave reads all of it.
 * usage: grow-racer FILE DELAY_MS SIZE_BYTES [SKIP_EVENTS [access]]
 * (with "access": count reads (IN_ACCESS) instead of opens) */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <time.h>
int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: %s FILE DELAY_MS SIZE [SKIP_OPENS]\n", argv[0]); return 64; }
  long delay = atol(argv[2]); long long size = atoll(argv[3]); int skip = argc > 4 ? atoi(argv[4]) : 0;
  int fd = inotify_init();
  if (fd < 0 || inotify_add_watch(fd, argv[1], argc > 5 ? IN_ACCESS : IN_OPEN) < 0) { perror("inotify"); return 1; }
  char buf[4096];
  for (;;) {
    ssize_t got = read(fd, buf, sizeof buf);
    if (got <= 0) return 1;
    for (char *p = buf; p < buf + got; p += sizeof(struct inotify_event) + ((struct inotify_event *)p)->len) skip--;
    if (skip >= 0) continue;
    struct timespec ts = { delay / 1000, (delay % 1000) * 1000000L };
    nanosleep(&ts, 0);
    if (truncate(argv[1], size) != 0) { perror("truncate"); return 1; }
    fprintf(stderr, "grow-racer: %s extended to %lld bytes\n", argv[1], size);
    return 0;
  }
}
