#!/bin/sh
# S18R-7: an uncompressed backup of a clean site, its PHP past the scan bound, scores 70 (35 before
# 9e3a878); one more weak hit of 20 in the scanned bytes makes it malicious (see the test S18R-7).
# Uses the PHP trees of /var/cache/mamori-ci (each file clean in a tree scan). Usage (worktree root):
#   sh bench/redteam/s18/backup-fp.sh [OUTDIR]
OUT=${1:-/tmp/s18-backup}
rm -rf "$OUT" && mkdir -p "$OUT/site/wp" "$OUT/site/media"
echo '<?php echo 1;' > "$OUT/site/wp/index.php"
# 17 MiB "video": the same pseudo-random bytes every run
node -e 'const b=Buffer.alloc(17<<20);let x=2463534242;for(let i=0;i<b.length;i++){x^=x<<13;x>>>=0;x^=x>>>17;x^=x<<5;x>>>=0;b[i]=x&255}process.stdout.write(b)' > "$OUT/site/media/video.mp4"
cp -r /var/cache/mamori-ci/roundcube-core "$OUT/site/zz-roundcube"
node packages/cli/dist/bin.js scan --no-progress "$OUT/site" | tail -1
(cd "$OUT/site" && tar cf "$OUT/site-backup.tar" wp media zz-roundcube)
node packages/cli/dist/bin.js scan --all --no-progress "$OUT/site-backup.tar" | sed -n 2p
node packages/cli/dist/bin.js scan --format jsonl "$OUT/site-backup.tar" | head -1 | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.verdict,j.score,j.findings.map(f=>f.rule+":"+f.score).join(" "))})'
