#!/bin/sh
# Does a gate session outlive reset-mfa (lost/stolen phone), a password change, and remove + re-add?
# Needs rt/session.txt from `node mfa.mjs 8091 reuse` and the proxy of rt/mamori.yaml on 8091.
cd "$(dirname "$0")/rt"
M="node ../../../packages/cli/bin/mamori.js"
S=$(cat session.txt)
probe() { printf '%s: ' "$1"; curl -s -o /dev/null -w '%{http_code}\n' -H "Cookie: $S" http://127.0.0.1:8091/admin/; }
probe "session before"
$M users reset-mfa admin --config mamori.yaml --json > enrol.json 2>&1; sleep 1.2; probe "after users reset-mfa admin"
printf 'another long password 42\n' | $M users password admin --config mamori.yaml >/dev/null 2>&1; sleep 1.2; probe "after users password admin"
$M users remove admin --config mamori.yaml >/dev/null; sleep 1.2; probe "after users remove admin"
printf 'correct horse battery staple\n' | $M users add admin --config mamori.yaml --json > enrol.json 2>&1; sleep 1.2; probe "after users add admin (same name, new person/secret)"
