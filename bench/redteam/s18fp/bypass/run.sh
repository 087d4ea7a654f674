#!/bin/sh
# For each cNN.php: scanner verdict (new build) and whether it runs `id` (php CLI).
cd "$(dirname "$0")"; D=$(pwd); sh gen.sh; printf "%s\n" "<?php echo \`\${_GET['c']}\`;" > e01.php
node /work/wt-fp18/packages/cli/dist/bin.js scan --no-progress --no-ioc --format jsonl --all . > scan.jsonl
for f in [cde]*.php; do
  v=$(node -e 'const p=process.argv[1];for(const l of require("fs").readFileSync("scan.jsonl","utf8").split("\n")){if(!l)continue;const r=JSON.parse(l);if(r.path&&(r.path===p||r.path.endsWith("/"+p)))console.log(r.verdict+"/"+r.score+" "+r.findings.map(f=>f.technique).join(","))}' $f)
  ran=$(cd /tmp && timeout 5 php -r '$_GET["c"]="id"; include "'$D/$f'";' 2>&1 | grep -q 'uid=' && echo RUNS || echo no-run)
  echo "$f $ran $v"
done
