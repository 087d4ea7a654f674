#!/usr/bin/env bash
# Daemons get /dev/null as their output, so that a caller reading this
# script's output through a pipe is not kept waiting by them.
# Starts (or, when already running, reloads) what the real apps need, on a
# machine without systemd: MariaDB, php-fpm, nginx, Dovecot and Apache.
# Safe to run any number of times; setup.sh runs it at its end.
set -euo pipefail

PHP_VER=8.2

running() { # pid file
  [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null
}

if ! mysqladmin ping >/dev/null 2>&1; then
  echo "starting MariaDB"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd </dev/null >/dev/null 2>&1
  for _ in $(seq 1 60); do mysqladmin ping >/dev/null 2>&1 && break; sleep 0.5; done
  mysqladmin ping >/dev/null
fi

if running "/run/php/php${PHP_VER}-fpm.pid"; then
  "/etc/init.d/php${PHP_VER}-fpm" reload >/dev/null
else
  echo "starting php${PHP_VER}-fpm"
  "/etc/init.d/php${PHP_VER}-fpm" start </dev/null >/dev/null 2>&1
fi

nginx -t -q
if running /run/nginx.pid; then
  nginx -s reload
else
  echo "starting nginx"
  nginx </dev/null >/dev/null 2>&1
fi

if running /run/dovecot/master.pid; then
  doveadm reload
else
  echo "starting dovecot"
  dovecot </dev/null >/dev/null 2>&1
fi

if running /run/apache2/apache2.pid || running /var/run/apache2/apache2.pid; then
  apache2ctl graceful
else
  echo "starting apache2"
  apache2ctl start </dev/null >/dev/null 2>&1
fi

# Wait until every port answers (php-fpm's socket too), bounded.
for _ in $(seq 1 40); do
  if [[ -S /run/php/php${PHP_VER}-fpm.sock ]] &&
    curl -s -o /dev/null http://127.0.0.1:8081/ &&
    curl -s -o /dev/null http://127.0.0.1:8082/ &&
    curl -s -o /dev/null http://127.0.0.1:8083/ &&
    (exec 3<>/dev/tcp/127.0.0.1/143) 2>/dev/null; then
    exit 0
  fi
  sleep 0.25
done
echo "start-services.sh: not everything answers (php-fpm socket, 8081, 8082, 8083, 143)" >&2
exit 1
