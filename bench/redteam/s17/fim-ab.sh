#!/bin/bash
# CPU (user+sys, s) of fim init / full check / fast check / full --threads 2 on TREE, main's
# build against this branch's, alternating ROUNDS times. bash bench/redteam/s17/fim-ab.sh TREE [ROUNDS] [OTHER_REPO]
tree=${1:?tree}; rounds=${2:-3}; other=${3:-/work/main}; here=$(cd "$(dirname "$0")/../../.." && pwd)
tmp=$(mktemp -d /tmp/s17-fim-ab-XXXX)
cpu() { /usr/bin/time -f "%U %S" -o "$tmp/t" "$@" >/dev/null 2>&1; awk '{printf "%.2f", $1+$2}' "$tmp/t"; }
for r in $(seq "$rounds"); do
  for repo in "$other" "$here"; do
    bin="$repo/packages/cli/dist/bin.js"; a="--db $tmp/db --key $tmp/key --no-events"
    rm -f "$tmp"/db* "$tmp"/key*
    i=$(cpu node "$bin" fim init "$tree" $a); f=$(cpu node "$bin" fim check --full $a); q=$(cpu node "$bin" fim check --fast $a); t=$(cpu node "$bin" fim check --full --threads 2 $a)
    echo "$(basename "$repo") round $r: init $i full $f fast $q full-threads2 $t"
  done
done
rm -rf "$tmp"
