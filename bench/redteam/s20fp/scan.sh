#!/bin/sh
# Scan each extracted Debian package (PKGROOT/x/<pkg>, PKGROOT/x2/<pkg>) with the new (/work/wt-rt20) and
# before (21f430c, /work/wt-rt20-before) builds. usage: scan.sh PKGROOT OUTDIR
R=${1:-/work/fp20pk}; O=${2:-/work/fp20pk/out}
NEW=/work/wt-rt20/packages/cli/dist/bin.js; OLD=/work/wt-rt20-before/packages/cli/dist/bin.js
mkdir -p $O/new $O/old
for d in $R/x/* $R/x2/*; do echo "$d"; done | xargs -P2 -I{} sh -c "
  n=\$(basename {}); p=\$(readlink -f {})
  node $NEW scan --no-progress --no-ioc --format jsonl --all \$p > $O/new/\$n.jsonl 2>$O/new/\$n.err; echo \$? > $O/new/\$n.rc
  node $OLD scan --no-progress --no-ioc --format jsonl --all \$p > $O/old/\$n.jsonl 2>$O/old/\$n.err; echo \$? > $O/old/\$n.rc"
