#!/usr/bin/env bash
# Stands up real PHP apps from Debian's packages on 127.0.0.1 so that mamori's
# login presets can be tried against the real thing: WordPress, phpMyAdmin and
# Roundcube (with Dovecot as its IMAP server) behind nginx + php-fpm, the same
# apps under Apache + mod_php, a phpMyAdmin in HTTP Basic auth mode, and hydra
# to attack them. Debian 12 (bookworm), run as root; safe to run again.
# See README.md beside this file.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

# Known accounts (test machine only; every listener is on 127.0.0.1).
WP_ADMIN_USER=admin
WP_ADMIN_PASS='WpAdminPass123'
WP_ADMIN_EMAIL='admin@example.test'
WP_USER2=alice
WP_USER2_PASS='AlicePass123'
WP_DB_PASS='WpDbPass123'
PMA_LOGIN_USER=dbadmin
PMA_LOGIN_PASS='DbAdminPass123'
PMA_CONTROL_PASS='PmaControlPass123'
RC_DB_PASS='RcDbPass123'
MAIL_USER=mailuser
MAIL_PASS='MailPass123'

NGINX_PORT=8081
APACHE_PORT=8082
PMA_HTTP_PORT=8083
PHP_VER=8.2
FPM_SOCK=/run/php/php${PHP_VER}-fpm.sock

log() { printf '== %s\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
  echo "setup.sh: run as root" >&2
  exit 1
fi

# ---------------------------------------------------------------- packages
log "apt-get update"
apt-get update -q >/dev/null

log "debconf preseeding"
# Databases are made below by hand (dbconfig-common off) so that a second run
# finds the same names and passwords; no web server is reconfigured by the
# packages: the configurations below are the only ones.
debconf-set-selections <<'EOF'
phpmyadmin phpmyadmin/dbconfig-install boolean false
phpmyadmin phpmyadmin/reconfigure-webserver multiselect
roundcube-core roundcube/dbconfig-install boolean false
roundcube-core roundcube/reconfigure-webserver multiselect
roundcube-core roundcube/restart-webserver boolean false
EOF

log "installing nginx and php-fpm first (so php-fpm is the PHP the apps get)"
apt-get install -y -q nginx "php${PHP_VER}-fpm" php-fpm php-mysql >/dev/null
log "installing the apps, dovecot, apache2 + mod_php, hydra"
apt-get install -y -q \
  wordpress phpmyadmin roundcube roundcube-core roundcube-mysql \
  dovecot-imapd apache2 libapache2-mod-php hydra curl \
  php-curl php-xml php-mbstring php-intl php-zip php-gd mariadb-client >/dev/null

# ---------------------------------------------------------------- MariaDB
if ! mysqladmin ping >/dev/null 2>&1; then
  log "starting MariaDB"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd </dev/null >/dev/null 2>&1
  for _ in $(seq 1 60); do mysqladmin ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
mysqladmin ping >/dev/null

log "databases and accounts"
mysql <<EOF
CREATE DATABASE IF NOT EXISTS wordpress DEFAULT CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS 'wordpress'@'localhost';
ALTER USER 'wordpress'@'localhost' IDENTIFIED BY '${WP_DB_PASS}';
GRANT ALL PRIVILEGES ON wordpress.* TO 'wordpress'@'localhost';

CREATE DATABASE IF NOT EXISTS phpmyadmin DEFAULT CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS 'phpmyadmin'@'localhost';
ALTER USER 'phpmyadmin'@'localhost' IDENTIFIED BY '${PMA_CONTROL_PASS}';
GRANT ALL PRIVILEGES ON phpmyadmin.* TO 'phpmyadmin'@'localhost';

CREATE USER IF NOT EXISTS '${PMA_LOGIN_USER}'@'localhost';
ALTER USER '${PMA_LOGIN_USER}'@'localhost' IDENTIFIED BY '${PMA_LOGIN_PASS}';
GRANT ALL PRIVILEGES ON *.* TO '${PMA_LOGIN_USER}'@'localhost';

CREATE DATABASE IF NOT EXISTS roundcube DEFAULT CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS 'roundcube'@'localhost';
ALTER USER 'roundcube'@'localhost' IDENTIFIED BY '${RC_DB_PASS}';
GRANT ALL PRIVILEGES ON roundcube.* TO 'roundcube'@'localhost';
FLUSH PRIVILEGES;
EOF

table_count() {
  mysql -N -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='$1'"
}
if [[ $(table_count phpmyadmin) -eq 0 ]]; then
  log "phpMyAdmin configuration storage tables"
  mysql phpmyadmin </usr/share/phpmyadmin/sql/create_tables.sql
fi
if [[ $(table_count roundcube) -eq 0 ]]; then
  log "Roundcube tables"
  mysql roundcube </usr/share/roundcube/SQL/mysql.initial.sql
fi

# ---------------------------------------------------------------- WordPress
log "WordPress configuration (/etc/wordpress/config-default.php)"
# Salts are made once and kept, so a second run does not log everybody out.
if [[ ! -f /etc/wordpress/realapps-salts.php ]]; then
  {
    echo '<?php'
    for k in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
      printf "define('%s', '%s');\n" "$k" "$(head -c 48 /dev/urandom | base64 -w0 | tr -d '=+/')"
    done
  } >/etc/wordpress/realapps-salts.php
fi
cat >/etc/wordpress/config-default.php <<EOF
<?php
/* Written by mamori's scripts/real-apps/setup.sh. Any Host name reaches this
 * file (Debian's wp-config.php falls back to config-default.php). */
define('DB_NAME', 'wordpress');
define('DB_USER', 'wordpress');
define('DB_PASSWORD', '${WP_DB_PASS}');
define('DB_HOST', 'localhost');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
require '/etc/wordpress/realapps-salts.php';
\$table_prefix = 'wp_';
define('WP_DEBUG', false);
/* The site follows the Host the request came with, so that it works both
 * straight on its port and behind a proxy on another port (links and
 * redirects then stay on the proxy). */
if (isset(\$_SERVER['HTTP_HOST']) && preg_match('/^[A-Za-z0-9.:\\[\\]-]+\$/', \$_SERVER['HTTP_HOST'])) {
    define('WP_HOME', 'http://' . \$_SERVER['HTTP_HOST']);
    define('WP_SITEURL', 'http://' . \$_SERVER['HTTP_HOST']);
}
/* Application passwords (HTTP Basic on the REST API and XML-RPC) are offered
 * only over https or when the environment is 'local'. */
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
EOF
chmod 640 /etc/wordpress/config-default.php /etc/wordpress/realapps-salts.php
chgrp www-data /etc/wordpress/config-default.php /etc/wordpress/realapps-salts.php

# ---------------------------------------------------------------- phpMyAdmin
log "phpMyAdmin configuration"
cat >/etc/phpmyadmin/config-db.php <<EOF
<?php
## Written by mamori's scripts/real-apps/setup.sh (dbconfig-common is off).
\$dbuser='phpmyadmin';
\$dbpass='${PMA_CONTROL_PASS}';
\$basepath='';
\$dbname='phpmyadmin';
\$dbserver='localhost';
\$dbport='';
\$dbtype='mysql';
EOF
chmod 640 /etc/phpmyadmin/config-db.php
chgrp www-data /etc/phpmyadmin/config-db.php
# The one phpMyAdmin install answers in cookie mode, except where the web
# server sets PMA_REALAPPS_AUTH=http (nginx's port ${PMA_HTTP_PORT}): there it is in
# HTTP Basic auth mode.
cat >/etc/phpmyadmin/conf.d/realapps.php <<'EOF'
<?php
/* Written by mamori's scripts/real-apps/setup.sh. */
if (($_SERVER['PMA_REALAPPS_AUTH'] ?? '') === 'http') {
    $cfg['Servers'][1]['auth_type'] = 'http';
    $cfg['Servers'][1]['auth_http_realm'] = 'phpMyAdmin';
}
EOF

# ---------------------------------------------------------------- Roundcube
log "Roundcube configuration"
cat >/etc/roundcube/debian-db.php <<EOF
<?php
## Written by mamori's scripts/real-apps/setup.sh (dbconfig-common is off).
\$dbuser='roundcube';
\$dbpass='${RC_DB_PASS}';
\$basepath='';
\$dbname='roundcube';
\$dbserver='localhost';
\$dbport='';
\$dbtype='mysql';
EOF
chmod 640 /etc/roundcube/debian-db.php
chgrp www-data /etc/roundcube/debian-db.php
# Dovecot listens on 127.0.0.1 only; "localhost" could resolve to ::1.
sed -i "s|^\$config\['imap_host'\].*|\$config['imap_host'] = [\"127.0.0.1:143\"];|" /etc/roundcube/config.inc.php
grep -q "127.0.0.1:143" /etc/roundcube/config.inc.php

# ---------------------------------------------------------------- Dovecot
log "Dovecot (IMAP on 127.0.0.1:143) and the mail user"
# 10-ssl.conf reads these files when the configuration is parsed, even with
# ssl = no; the package made none here.
if [[ ! -s /etc/dovecot/private/dovecot.pem ]]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost \
    -keyout /etc/dovecot/private/dovecot.key -out /etc/dovecot/private/dovecot.pem 2>/dev/null
  chmod 600 /etc/dovecot/private/dovecot.key
fi
cat >/etc/dovecot/local.conf <<'EOF'
# Written by mamori's scripts/real-apps/setup.sh.
listen = 127.0.0.1
protocols = imap
# IMAP stays on the loopback, where Dovecot accepts plaintext logins.
ssl = no
EOF
if ! id "$MAIL_USER" >/dev/null 2>&1; then
  useradd --create-home --shell /usr/sbin/nologin "$MAIL_USER"
fi
echo "${MAIL_USER}:${MAIL_PASS}" | chpasswd
touch "/var/mail/${MAIL_USER}"
chown "${MAIL_USER}:mail" "/var/mail/${MAIL_USER}"
chmod 660 "/var/mail/${MAIL_USER}"
if [[ ! -s "/var/mail/${MAIL_USER}" ]]; then
  cat >"/var/mail/${MAIL_USER}" <<EOF
From root@localhost  Thu Jan  1 00:00:00 2026
From: root@localhost
To: ${MAIL_USER}@localhost
Subject: Welcome to the test mailbox
Date: Thu, 1 Jan 2026 00:00:00 +0000
Message-ID: <welcome@realapps.test>

One message, so that the mail list is not empty.

EOF
fi

# ---------------------------------------------------------------- nginx
log "nginx on 127.0.0.1:${NGINX_PORT} (and phpMyAdmin in HTTP auth mode on ${PMA_HTTP_PORT})"
# A web root for the apps served under a path prefix: each path is a link to
# the app's Debian web root, so 'root' maps /phpmyadmin/x and /roundcube/x.
mkdir -p /var/www/realapps
ln -sfn /usr/share/phpmyadmin /var/www/realapps/phpmyadmin
ln -sfn /var/lib/roundcube/public_html /var/www/realapps/roundcube
rm -f /etc/nginx/sites-enabled/default
cat >/etc/nginx/sites-available/realapps <<EOF
# Written by mamori's scripts/real-apps/setup.sh.
# PHP locations match '.php' followed by '/' or the end, and split PATH_INFO
# with Debian's snippets/fastcgi-php.conf (fastcgi_split_path_info
# ^(.+?\\.php)(/.*)\$), as the usual nginx + php-fpm deployments do: so
# /wp-login.php/x runs wp-login.php with PATH_INFO=/x.
server {
    listen 127.0.0.1:${NGINX_PORT};
    server_name _;
    root /usr/share/wordpress;
    index index.php index.html;
    client_max_body_size 32m;

    location ^~ /phpmyadmin/ {
        root /var/www/realapps;
        location ~ [^/]\\.php(/|\$) {
            include snippets/fastcgi-php.conf;
            fastcgi_pass unix:${FPM_SOCK};
        }
    }
    location = /phpmyadmin { return 301 /phpmyadmin/; }

    location ^~ /roundcube/ {
        root /var/www/realapps;
        location ~ [^/]\\.php(/|\$) {
            include snippets/fastcgi-php.conf;
            fastcgi_pass unix:${FPM_SOCK};
        }
    }
    location = /roundcube { return 301 /roundcube/; }

    # WordPress at the root. Its uploads, plugins and themes live in
    # /var/lib/wordpress/wp-content on Debian.
    location ^~ /wp-content/ {
        root /var/lib/wordpress;
        location ~ [^/]\\.php(/|\$) { return 403; }
    }
    location / {
        try_files \$uri \$uri/ /index.php?\$args;
    }
    location ~ [^/]\\.php(/|\$) {
        include snippets/fastcgi-php.conf;
        fastcgi_pass unix:${FPM_SOCK};
    }
}

server {
    listen 127.0.0.1:${PMA_HTTP_PORT};
    server_name _;
    root /var/www/realapps;
    index index.php;
    location = / { return 302 /phpmyadmin/; }
    location ^~ /phpmyadmin/ {
        location ~ [^/]\\.php(/|\$) {
            include snippets/fastcgi-php.conf;
            fastcgi_param PMA_REALAPPS_AUTH http;
            fastcgi_pass unix:${FPM_SOCK};
        }
    }
    location / { return 404; }
}
EOF
ln -sfn /etc/nginx/sites-available/realapps /etc/nginx/sites-enabled/realapps
nginx -t -q

# ---------------------------------------------------------------- Apache
log "Apache + mod_php on 127.0.0.1:${APACHE_PORT}"
cat >/etc/apache2/ports.conf <<EOF
# Written by mamori's scripts/real-apps/setup.sh: loopback only.
Listen 127.0.0.1:${APACHE_PORT}
ServerName localhost
EOF
a2dissite -q 000-default >/dev/null || true
a2dismod -q "proxy_fcgi" >/dev/null 2>&1 || true
a2disconf -q "php${PHP_VER}-fpm" >/dev/null 2>&1 || true
a2dismod -q mpm_event >/dev/null 2>&1 || true
a2enmod -q mpm_prefork "php${PHP_VER}" rewrite >/dev/null
cat >/etc/apache2/sites-available/realapps.conf <<EOF
# Written by mamori's scripts/real-apps/setup.sh. WordPress at the root (as
# Debian's examples/apache.conf does it), phpMyAdmin and Roundcube with the
# configurations their packages ship.
<VirtualHost 127.0.0.1:${APACHE_PORT}>
    DocumentRoot /usr/share/wordpress
    Alias /wp-content /var/lib/wordpress/wp-content
    <Directory /usr/share/wordpress>
        Options FollowSymLinks
        AllowOverride Limit Options FileInfo
        DirectoryIndex index.php
        Require all granted
        # The single-blog rules of /etc/wordpress/htaccess (commented out
        # there), so that pretty permalinks and /wp-json/ route.
        RewriteEngine On
        RewriteBase /
        RewriteCond %{REQUEST_FILENAME} !-f
        RewriteCond %{REQUEST_FILENAME} !-d
        RewriteRule . /index.php [L]
    </Directory>
    <Directory /var/lib/wordpress/wp-content>
        Options FollowSymLinks
        Require all granted
    </Directory>
    Include /etc/phpmyadmin/apache.conf
    # Debian's roundcube apache.conf leaves its Alias commented out.
    Alias /roundcube /var/lib/roundcube/public_html
    Include /etc/roundcube/apache.conf
    ErrorLog \${APACHE_LOG_DIR}/realapps-error.log
    CustomLog \${APACHE_LOG_DIR}/realapps-access.log combined
</VirtualHost>
EOF
a2ensite -q realapps >/dev/null
apache2ctl -t 2>&1 | grep -v 'Syntax OK' || true

# ---------------------------------------------------------------- start
# There is no systemd here and policy-rc.d stops the packages from starting
# anything: start-services.sh starts what is not already running.
log "starting services"
bash "$(dirname "$0")/start-services.sh"

# ---------------------------------------------------------------- WordPress install
WP_BASE="http://127.0.0.1:${NGINX_PORT}"
if [[ $(table_count wordpress) -eq 0 ]] || ! mysql -N wordpress -e "SELECT 1 FROM wp_options WHERE option_name='siteurl'" 2>/dev/null | grep -q 1; then
  log "running the WordPress installer by HTTP POST"
  curl -sS -o /dev/null -w '%{http_code}\n' "${WP_BASE}/wp-admin/install.php" >/dev/null
  code=$(curl -sS -o /tmp/realapps-wp-install.html -w '%{http_code}' \
    --data-urlencode "weblog_title=Real Apps WordPress" \
    --data-urlencode "user_name=${WP_ADMIN_USER}" \
    --data-urlencode "admin_password=${WP_ADMIN_PASS}" \
    --data-urlencode "admin_password2=${WP_ADMIN_PASS}" \
    --data-urlencode "pw_weak=on" \
    --data-urlencode "admin_email=${WP_ADMIN_EMAIL}" \
    --data-urlencode "blog_public=0" \
    --data-urlencode "language=" \
    --data-urlencode "Submit=Install WordPress" \
    "${WP_BASE}/wp-admin/install.php?step=2")
  if [[ $code != 200 ]] || ! grep -q 'Success!' /tmp/realapps-wp-install.html; then
    echo "WordPress install failed (HTTP $code), see /tmp/realapps-wp-install.html" >&2
    exit 1
  fi
fi

log "WordPress users, permalinks (so /wp-json/ routes)"
# WordPress's own API through wp-load.php (no wp-cli in Debian 12).
WP_A="$WP_ADMIN_USER" WP_AP="$WP_ADMIN_PASS" WP_B="$WP_USER2" WP_BP="$WP_USER2_PASS" \
  php -d display_errors=stderr -r '
  $_SERVER["HTTP_HOST"] = "127.0.0.1:'"${NGINX_PORT}"'";
  $_SERVER["REQUEST_METHOD"] = "GET";
  define("WP_ADMIN", true);
  require "/usr/share/wordpress/wp-load.php";
  require_once ABSPATH . "wp-admin/includes/user.php";
  function ensure_user($login, $pass, $role, $email) {
      $u = get_user_by("login", $login);
      if (!$u) {
          $id = wp_insert_user(["user_login" => $login, "user_pass" => $pass,
              "user_email" => $email, "role" => $role]);
          if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message() . "\n"); exit(1); }
          echo "created $login\n";
      } elseif (!wp_check_password($pass, $u->user_pass, $u->ID)) {
          wp_set_password($pass, $u->ID);
          echo "reset the password of $login\n";
      }
  }
  ensure_user(getenv("WP_A"), getenv("WP_AP"), "administrator", "admin@example.test");
  ensure_user(getenv("WP_B"), getenv("WP_BP"), "editor", "alice@example.test");
  if (get_option("permalink_structure") !== "/%postname%/") {
      update_option("permalink_structure", "/%postname%/");
  }
  flush_rewrite_rules(false);
'

# An application password for the admin, made once; its plain text is kept
# in /etc/wordpress/realapps-app-password (WordPress stores only a hash).
if [[ ! -s /etc/wordpress/realapps-app-password ]]; then
  WP_A="$WP_ADMIN_USER" php -d display_errors=stderr -r '
    $_SERVER["HTTP_HOST"] = "127.0.0.1:'"${NGINX_PORT}"'";
    $_SERVER["REQUEST_METHOD"] = "GET";
    require "/usr/share/wordpress/wp-load.php";
    $u = get_user_by("login", getenv("WP_A"));
    $r = WP_Application_Passwords::create_new_application_password($u->ID, ["name" => "realapps"]);
    if (is_wp_error($r)) { fwrite(STDERR, $r->get_error_message() . "\n"); exit(1); }
    echo $r[0];
  ' >/etc/wordpress/realapps-app-password.tmp
  mv /etc/wordpress/realapps-app-password.tmp /etc/wordpress/realapps-app-password
  chmod 600 /etc/wordpress/realapps-app-password
fi
WP_APP_PASS=$(cat /etc/wordpress/realapps-app-password)

# ---------------------------------------------------------------- checks
log "checks"
fail=0
check() { # name, expected substring, curl args...
  local name=$1 want=$2; shift 2
  local out
  out=$(curl -sS -m 20 "$@" 2>&1 || true)
  if grep -q -- "$want" <<<"$out"; then
    echo "  ok   $name"
  else
    echo "  FAIL $name"; fail=1
  fi
}
TMPJ=$(mktemp)
check "WordPress login form (nginx)" 'name="log"' "${WP_BASE}/wp-login.php"
check "WordPress login (nginx)" 'wordpress_logged_in_' -o /dev/null -D - -b wordpress_test_cookie=WP%20Cookie%20check \
  --data-urlencode "log=${WP_ADMIN_USER}" --data-urlencode "pwd=${WP_ADMIN_PASS}" -d testcookie=1 "${WP_BASE}/wp-login.php"
check "WordPress XML-RPC wp.getUsersBlogs" '<name>isAdmin</name>' -H 'Content-Type: text/xml' --data-binary \
  "<?xml version=\"1.0\"?><methodCall><methodName>wp.getUsersBlogs</methodName><params><param><value><string>${WP_ADMIN_USER}</string></value></param><param><value><string>${WP_ADMIN_PASS}</string></value></param></params></methodCall>" \
  "${WP_BASE}/xmlrpc.php"
check "WordPress REST with the application password" '"slug":"admin"' -u "${WP_ADMIN_USER}:${WP_APP_PASS}" "${WP_BASE}/wp-json/wp/v2/users/me"
check "phpMyAdmin login form (nginx)" 'name="pma_username"' -c "$TMPJ" "http://127.0.0.1:${NGINX_PORT}/phpmyadmin/"
check "phpMyAdmin HTTP auth asks (nginx :${PMA_HTTP_PORT})" 'WWW-Authenticate: Basic' -o /dev/null -D - "http://127.0.0.1:${PMA_HTTP_PORT}/phpmyadmin/"
check "phpMyAdmin HTTP auth login" 'pma_navigation' -u "${PMA_LOGIN_USER}:${PMA_LOGIN_PASS}" "http://127.0.0.1:${PMA_HTTP_PORT}/phpmyadmin/"
check "Roundcube login form (nginx)" 'name="_user"' "http://127.0.0.1:${NGINX_PORT}/roundcube/"
if curl -sS -m 20 --url "imap://127.0.0.1/" -u "${MAIL_USER}:${MAIL_PASS}" -X NOOP >/dev/null; then
  echo "  ok   IMAP login"
else
  echo "  FAIL IMAP login"; fail=1
fi
check "WordPress login form (apache)" 'name="log"' "http://127.0.0.1:${APACHE_PORT}/wp-login.php"
check "WordPress REST (apache)" '"slug":"admin"' -u "${WP_ADMIN_USER}:${WP_APP_PASS}" "http://127.0.0.1:${APACHE_PORT}/wp-json/wp/v2/users/me"
check "phpMyAdmin login form (apache)" 'name="pma_username"' "http://127.0.0.1:${APACHE_PORT}/phpmyadmin/"
check "Roundcube login form (apache)" 'name="_user"' "http://127.0.0.1:${APACHE_PORT}/roundcube/"
printf '%s\n' "$PMA_LOGIN_PASS" >"$TMPJ"
if bash "$(dirname "$0")/token-guess.sh" phpmyadmin "http://127.0.0.1:${NGINX_PORT}/phpmyadmin/" "$PMA_LOGIN_USER" "$TMPJ" >/dev/null; then
  echo "  ok   phpMyAdmin cookie login"
else
  echo "  FAIL phpMyAdmin cookie login"; fail=1
fi
printf '%s\n' "$MAIL_PASS" >"$TMPJ"
if bash "$(dirname "$0")/token-guess.sh" roundcube "http://127.0.0.1:${NGINX_PORT}/roundcube/" "$MAIL_USER" "$TMPJ" >/dev/null; then
  echo "  ok   Roundcube login"
else
  echo "  FAIL Roundcube login (its lockout lasts 60 s after 3 failures)"; fail=1
fi
rm -f "$TMPJ"

cat <<EOF

================ real apps (all on 127.0.0.1) ================
nginx + php-fpm ${PHP_VER}   http://127.0.0.1:${NGINX_PORT}/
  WordPress 6.1   http://127.0.0.1:${NGINX_PORT}/wp-login.php   (site at /, XML-RPC /xmlrpc.php, REST /wp-json/)
                  ${WP_ADMIN_USER} / ${WP_ADMIN_PASS} (administrator), ${WP_USER2} / ${WP_USER2_PASS} (editor)
                  application password of ${WP_ADMIN_USER}: ${WP_APP_PASS}
  phpMyAdmin 5.2  http://127.0.0.1:${NGINX_PORT}/phpmyadmin/   (cookie auth)
                  ${PMA_LOGIN_USER} / ${PMA_LOGIN_PASS} (MariaDB user, all privileges)
  phpMyAdmin 5.2  http://127.0.0.1:${PMA_HTTP_PORT}/phpmyadmin/   (HTTP Basic auth, same user)
  Roundcube 1.6   http://127.0.0.1:${NGINX_PORT}/roundcube/
                  ${MAIL_USER} / ${MAIL_PASS} (Dovecot IMAP 127.0.0.1:143, Unix user)
Apache + mod_php  http://127.0.0.1:${APACHE_PORT}/  (same three apps at the same paths)
hydra             $(command -v hydra)
Start again after a reboot: bash $(dirname "$0")/start-services.sh
EOF
exit "$fail"
