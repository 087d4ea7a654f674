#!/bin/sh
# Scan each extracted Debian package (and the big fixtures) with the new (this worktree) and old (6fe14f8) builds.
# usage: scan.sh PKGROOT OUTDIR   (PKGROOT/x/<pkg>, PKGROOT/big)
R=${1:-/work/fp18pk}; O=${2:-/work/fp18pk/out}
NEW=/work/wt-fp18/packages/cli/dist/bin.js; OLD=/work/wt-fp18-old/packages/cli/dist/bin.js
mkdir -p $O/new $O/old
for d in $R/x/*; do
  n=$(basename $d); p=$(readlink -f $d)
  echo "$n"
done | xargs -P6 -I{} sh -c "
  p=\$(readlink -f $R/x/{})
  node $NEW scan --no-progress --no-ioc --format jsonl --all \$p > $O/new/{}.jsonl 2>$O/new/{}.err
  node $OLD scan --no-progress --no-ioc --format jsonl --all \$p > $O/old/{}.jsonl 2>$O/old/{}.err"
node $NEW scan --no-progress --no-ioc --format jsonl --all $R/big > $O/new-big.jsonl 2>/dev/null; node $OLD scan --no-progress --no-ioc --format jsonl --all $R/big > $O/old-big.jsonl 2>/dev/null  
