#!/bin/sh
# S17H-1: a file of 60 MiB of holes (under the sparse bound, no disk) grows to 4 TiB the moment
# fim (or scan) has fstat'd it; the reader read on to the new end. usage: grow-race.sh DIR fim|scan
CLI=${CLI:-node packages/cli/dist/bin.js}
D=$1; WHAT=${2:-fim}
RACER=${RACER:-/tmp/s17/grow-racer}
[ -x "$RACER" ] || gcc -O2 -o "$RACER" "$(dirname "$0")/grow-racer.c" || exit 1
rm -rf "$D"; mkdir -p "$D/www"; echo '<?php echo 1;' > "$D/www/index.php"; truncate -s 60M "$D/www/big.bin"
if [ "$WHAT" = fim ]; then
  $CLI fim init --db "$D/fim.db" --key "$D/fim.key" --no-events "$D/www" >/dev/null
  "$RACER" "$D/www/big.bin" 5 $((4<<40)) & R=$!
  sleep 0.2
  /usr/bin/time -f 'fim check: %e s wall' timeout 25 $CLI fim check --db "$D/fim.db" --key "$D/fim.key" --no-events; echo "rc=$? (124: still reading after 25 s)"
else
  # the timed scanner: the parent hashes the file after the child scanned its first 16 MiB;
  # grow it on the 30th read
  "$RACER" "$D/www/big.bin" 0 $((4<<40)) 30 access & R=$!
  sleep 0.2
  /usr/bin/time -f 'scan: %e s wall' timeout 25 $CLI scan --no-ioc --no-progress "$D/www"; echo "rc=$? (124: still reading after 25 s)"
fi
kill $R 2>/dev/null; wait $R 2>/dev/null
