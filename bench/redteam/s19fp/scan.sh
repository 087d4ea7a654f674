#!/bin/sh
# Scan each extracted Debian package (PKGROOT/x/<pkg>, PKGROOT/x2/<pkg>) with the new (c705f7d, this
# worktree) and old (2f669ce) builds. usage: scan.sh PKGROOT OUTDIR
R=${1:-/work/fp19pk}; O=${2:-/work/fp19pk/out}
NEW=/work/wt-rt19/packages/cli/dist/bin.js; OLD=/work/wt-rt19-old/packages/cli/dist/bin.js
mkdir -p $O/new $O/old
for d in $R/x/* $R/x2/*; do echo "$d"; done | xargs -P2 -I{} sh -c "
  n=\$(basename {}); p=\$(readlink -f {})
  node $NEW scan --no-progress --no-ioc --format jsonl --all \$p > $O/new/\$n.jsonl 2>$O/new/\$n.err
  node $OLD scan --no-progress --no-ioc --format jsonl --all \$p > $O/old/\$n.jsonl 2>$O/old/\$n.err"
