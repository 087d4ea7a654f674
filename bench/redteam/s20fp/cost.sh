#!/bin/sh
# CPU (user sys) of a scan, before vs after, alternating, 3 runs each. usage: cost.sh OUT dir...
O=$1; shift
for d in "$@"; do for r in 1 2 3; do for b in ${NEW:-snap20} wt-rt20-before; do
  /usr/bin/time -o /tmp/cost.$$ -f "%U %S" node /work/$b/packages/cli/dist/bin.js scan --json --no-progress --no-ioc "$d" > /dev/null 2>&1
  echo "$(basename $d) $b $r $(cat /tmp/cost.$$)" >> $O
done; done; done
