#!/bin/sh
# final build (snap20b): packages rescan (timed, new and before), then the six apps' verdicts
O=/work/fp20pk/out2; mkdir -p $O/new $O/old
for b in snap20b wt-rt20-before; do
  d=$O/new; [ $b = wt-rt20-before ] && d=$O/old
  /usr/bin/time -o $O/time-$b -f "%U %S %e" sh -c "for p in /work/fp20pk/x/* /work/fp20pk/x2/*; do n=\$(basename \$p); case \$n in ci-*) continue;; esac; node /work/$b/packages/cli/dist/bin.js scan --no-progress --no-ioc --format jsonl --all \$p > $d/\$n.jsonl 2>$d/\$n.err; done"
done
for c in dokuwiki mediawiki php-laravel-framework phpmyadmin roundcube-core wordpress; do
  node /work/snap20b/packages/cli/dist/bin.js scan --no-progress --no-ioc --format jsonl --all /var/cache/mamori-ci/$c > $O/app-$c.jsonl 2>/dev/null; echo "$c rc=$?" >> $O/apps.txt
done
echo done > $O/done
