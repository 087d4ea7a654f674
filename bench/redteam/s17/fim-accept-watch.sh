#!/bin/bash
# After an inline init (one thread, diff: true): a change shows with its diff, `fim accept`
# takes it, and full / --threads 2 / fast checks are then clean; `fim watch` reports a change.
# bash bench/redteam/s17/fim-accept-watch.sh [REPO]
repo=${1:-$(cd "$(dirname "$0")/../../.." && pwd)}; bin="$repo/packages/cli/dist/bin.js"
t=$(mktemp -d /tmp/s17-fim-aw-XXXX); mkdir -p "$t/www/sub"
printf 'line1\nline2\n' > "$t/www/index.php"; printf 'x' > "$t/www/sub/a.php"; : > "$t/www/empty"
a="--db $t/db --key $t/key --no-events"
node "$bin" fim init "$t/www" --diff $a | tail -1
printf 'line1\nline2 changed\n' > "$t/www/index.php"; chmod 600 "$t/www/sub/a.php"; printf 'n' > "$t/www/new.php"
node "$bin" fim check $a; echo "exit $? (expect 1: changes, with a diff)"
node "$bin" fim accept --all --reason test --by rt $a | tail -1
for m in "--full" "--full --threads 2" "--fast"; do node "$bin" fim check $m $a >/dev/null; echo "exit $? after accept ($m, expect 0)"; done
node "$bin" fim watch --debounce 200ms $a > "$t/watch.out" 2>&1 & w=$!
sleep 2; printf 'line1\nwatched\n' > "$t/www/index.php"; sleep 2
kill "$w"; wait "$w" 2>/dev/null
grep -E "index.php|sha256|changed" "$t/watch.out" | head -5
rm -rf "$t"
