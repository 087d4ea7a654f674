/* Black-box oracle: calls the libinjection entry points exported by Debian's libmodsecurity3.
   Reads hex-encoded inputs, one per line; prints "sqli fingerprint xss" per line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
extern int libinjection_sqli(const char *s, size_t slen, char fingerprint[]);
extern int libinjection_xss(const char *s, size_t slen);
extern const char *libinjection_version(void);
static int hexv(int c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }
int main(int argc, char **argv) {
  if (argc > 1) { /* any argument: print the version */ printf("%s\n", libinjection_version()); return 0; }
  static char line[1 << 22]; static char buf[1 << 21];
  while (fgets(line, sizeof line, stdin)) {
    size_t n = strcspn(line, "\r\n"), m = 0;
    for (size_t i = 0; i + 1 < n; i += 2) buf[m++] = (char)(hexv(line[i]) * 16 + hexv(line[i + 1]));
    char fp[8] = {0};
    int s = libinjection_sqli(buf, m, fp);
    int x = libinjection_xss(buf, m);
    printf("%d %s %d\n", s, s ? fp : "-", x);
  }
  return 0;
}
