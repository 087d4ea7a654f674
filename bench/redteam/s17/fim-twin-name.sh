#!/bin/bash
# S17F-3: a file whose name is not valid UTF-8 beside a file named as Node decodes it (the
# bad bytes as U+FFFD): Node lists the two as one name, the valid one is recorded twice, and the
# other is never checked nor reported. bash bench/redteam/s17/fim-twin-name.sh [REPO]
repo=${1:-$(cd "$(dirname "$0")/../../.." && pwd)}; bin="$repo/packages/cli/dist/bin.js"
t=$(mktemp -d /tmp/s17-fim-twin-XXXX); mkdir "$t/www"
printf 'decoy' > "$t/www/shell"$'\xef\xbf\xbd'".php"      # U+FFFD, valid UTF-8
printf '<?php system($_GET[c]);' > "$t/www/shell"$'\xff'".php"  # not UTF-8: served as /shell%FF.php
a="--db $t/db --key $t/key --no-events"
node "$bin" fim init "$t/www" $a | tail -1
printf '<?php eval($_POST[x]);' > "$t/www/shell"$'\xff'".php"   # the webshell changes
node "$bin" fim check --full $a; echo "exit $? (full)"
node "$bin" fim check --fast $a; echo "exit $? (fast)"
rm -rf "$t"
