#!/bin/sh
# Builds every S18R bypass file against BOUND (default 1 MiB; 16777216 for mamori scan's default),
# runs it with PHP 8.2 (include, $_GET[c] = a command) and scans it with the CLI (--max-file-size BOUND).
# Usage (from the worktree root): sh bench/redteam/s18/run.sh [BOUND] [OUTDIR]
BOUND=${1:-1048576}
OUT=${2:-/tmp/s18r}
mkdir -p "$OUT"
CMD='echo PWNED-$((6*7))'
for c in long-window long-comment long-string heredoc split straddle straddle-php short-nows short-comment short-hash short-straddle; do
  for ext in jpg mp4; do
    f="$OUT/$c.$ext"
    node bench/redteam/s18/mk.mjs "$c" "$f" "$BOUND"
    runs=$(php -r '$_GET["c"]=$argv[2]; include $argv[1];' "$f" "$CMD" 2>/dev/null | grep -ac PWNED-42)
    runs_short=$(php -d short_open_tag=1 -r '$_GET["c"]=$argv[2]; include $argv[1];' "$f" "$CMD" 2>/dev/null | grep -ac PWNED-42)
    v=$(node packages/cli/dist/bin.js scan --all --no-progress --max-file-size "$BOUND" "$f" | sed -n 2p | awk '{print $1, $2}')
    echo "$c.$ext  php(ini): $runs  php(short_open_tag=1): $runs_short  scan: $v"
  done
done
