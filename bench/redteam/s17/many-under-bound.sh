#!/bin/sh
# S17H: N files (or N hard links to one file), each with just under 64 MiB of holes: no disk,
# yet every full `fim check` (and every scan) reads N x 63 MiB of zeros.
# usage: many-under-bound.sh DIR N [links]
set -e
CLI=${CLI:-node packages/cli/dist/bin.js}
D=$1; N=$2; MODE=${3:-files}
rm -rf "$D"; mkdir -p "$D/www"
truncate -s 63M "$D/www/f0.php"
i=1
while [ $i -lt $N ]; do
  if [ "$MODE" = links ]; then ln "$D/www/f0.php" "$D/www/f$i.php"; else truncate -s 63M "$D/www/f$i.php"; fi
  i=$((i+1))
done
du -sh --apparent-size "$D/www"; du -sh "$D/www"
/usr/bin/time -f 'fim init: %e s wall, %U s user, %M KiB max RSS' $CLI fim init --db "$D/fim.db" --key "$D/fim.key" --no-events "$D/www" >/dev/null
/usr/bin/time -f 'fim check (full): %e s wall, %U s user' $CLI fim check --db "$D/fim.db" --key "$D/fim.key" --no-events >/dev/null || true
/usr/bin/time -f 'scan: %e s wall, %U s user' $CLI scan --no-ioc --no-progress "$D/www" >/dev/null || true
