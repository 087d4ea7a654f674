#!/bin/sh
# Large legitimate files past the 16 MiB scanned part (PKGROOT/big). Needs fetch.sh first.
D=$(dirname "$(readlink -f "$0")"); R=${1:-/work/fp18pk}; B=$R/big; S=$R/bigsrc; mkdir -p $B $S/t/media $S/t2/media $S/t2/adminer
head -c $((17*1024*1024)) /dev/urandom > $S/t/media/video.mp4; cp $S/t/media/video.mp4 $S/t2/media/
cp -r $R/x/php-twig/usr/share/php/Twig $S/t/; cp -r $R/x/php-phpseclib/usr/share/php/phpseclib $S/t/
tar -cf $B/site-backup.tar -C $S/t media Twig phpseclib; tar -czf $B/site-backup.tar.gz -C $S/t media Twig
cp -rL /var/cache/mamori-ci/wordpress/usr/share/wordpress/wp-admin $S/t2/; cp -L $(find -L $R/x/adminer -name '*.php') $S/t2/adminer/
tar -cf $B/wp-backup.tar -C $S/t2 media wp-admin adminer
cd $B && python3 "$D/make-text.py"
