#!/usr/bin/env bash
# PHP 7.4's CLI from Debian 11 (bullseye), unpacked into a folder (not installed): PHP 7.4 and older
# skip a control byte in code where PHP 8 refuses the file, and the scan tests run their samples
# through it to show that (packages/host/src/scan/php7.test.ts, MAMORI_PHP74). Prints the binary's
# path; exits non-zero when it cannot be had. Fetches from deb.debian.org only.
#   scripts/fetch-php74.sh [DIR]     (default /var/cache/mamori-ci/php74)
set -euo pipefail
dir=${1:-/var/cache/mamori-ci/php74}
bin="$dir/root/usr/bin/php7.4"
wrapper="$dir/php7.4"
if [ -x "$wrapper" ] && "$wrapper" -v >/dev/null 2>&1; then echo "$wrapper"; exit 0; fi
mirror=http://deb.debian.org/debian
mkdir -p "$dir/deb" "$dir/root"
curl -fsS --max-time 120 "$mirror/dists/bullseye/main/binary-amd64/Packages.xz" -o "$dir/Packages.xz"
for pkg in php7.4-cli php7.4-common php7.4-json libssl1.1; do
  file=$(xz -dc "$dir/Packages.xz" | awk -v p="$pkg" '$1 == "Package:" { ok = ($2 == p) } ok && $1 == "Filename:" && !done { print $2; done = 1 }')
  [ -n "$file" ] || { echo "bullseye has no $pkg" >&2; exit 1; }
  curl -fsS --max-time 300 "$mirror/$file" -o "$dir/deb/$pkg.deb"
  dpkg-deb -x "$dir/deb/$pkg.deb" "$dir/root"
done
cat > "$wrapper" <<WRAP
#!/bin/sh
LD_LIBRARY_PATH="$dir/root/usr/lib/x86_64-linux-gnu" exec "$bin" -n "\$@"
WRAP
chmod +x "$wrapper"
"$wrapper" -v >/dev/null
echo "$wrapper"
