#!/bin/bash
# S17F-4: the owner of a file in the tree holds a write lease on it (fcntl F_SETLEASE, no
# privilege needed on one's own file): fim's open (O_NONBLOCK) fails with EWOULDBLOCK, so the
# file's content is never compared; the check says "not checked" instead of the sha256 change.
# bash bench/redteam/s17/fim-lease.sh [REPO]
repo=${1:-$(cd "$(dirname "$0")/../../.." && pwd)}; bin="$repo/packages/cli/dist/bin.js"
t=$(mktemp -d /tmp/s17-fim-lease-XXXX); chmod 755 "$t"; mkdir "$t/www"; printf 'clean' > "$t/www/a.php"; chown -R nobody "$t/www"
a="--db $t/db --key $t/key --no-events"
node "$bin" fim init "$t/www" $a | tail -1
# the attacker changes the file (same size) and holds a write lease on it
runuser -u nobody -- python3 - "$t/www/a.php" <<'PY' &
import fcntl, os, signal, sys, time
p = sys.argv[1]
with open(p, 'r+') as f: f.write('EVIL!')
fd = os.open(p, os.O_RDONLY)
signal.signal(signal.SIGIO, lambda *_: None)  # the lease break is signalled; it is let run out (45 s)
fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
time.sleep(8)
PY
l=$!; sleep 1
for m in --full "--full --threads 2" --fast; do node "$bin" fim check $m $a | grep -E "a.php|check of"; done
kill $l 2>/dev/null; wait $l 2>/dev/null; rm -rf "$t"
