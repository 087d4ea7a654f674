#!/bin/sh
# Builds each S18Q case, runs it with PHP 8.2 (include, $_GET[c] = a command; default ini and short_open_tag=1)
# and scans it with the CLI. Usage (worktree root): sh bench/redteam/s18q/run.sh [BOUND] [OUTDIR] [CASES...]
BOUND=${1:-1048576}; OUT=${2:-/tmp/s18q}; [ $# -ge 2 ] && shift 2 || shift $#
mkdir -p "$OUT"
CASES=${*:-$(node -e 'import("./bench/redteam/s18q/mk.mjs").then(m=>console.log(Object.keys(m.payloads).join(" ")))')}
CMD='echo PWNED-$((6*7))'
for c in $CASES; do
  f="$OUT/$c.jpg"
  node bench/redteam/s18q/mk.mjs "$c" "$f" "$BOUND"
  a=$(php -r '$_GET["c"]=$argv[2]; include $argv[1];' "$f" "$CMD" 2>/dev/null | grep -ac PWNED-42)
  b=$(php -d short_open_tag=1 -r '$_GET["c"]=$argv[2]; include $argv[1];' "$f" "$CMD" 2>/dev/null | grep -ac PWNED-42)
  v=$(node packages/cli/dist/bin.js scan --all --no-progress --max-file-size "$BOUND" "$f" | sed -n 2p | awk '{print $1, $2}')
  echo "$c  php: $a  php(short_open_tag=1): $b  scan: $v"
done
