#!/bin/sh
# The gate with users.json / mfa.keys missing, corrupt or huge, while a session is live (proxy of rt/mamori.yaml on 8091).
cd "$(dirname "$0")/rt"
S=$(cat session.txt)
probe() { printf '%-40s %s\n' "$1" "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $S" -H 'x-forwarded-for: 192.0.2.200' http://127.0.0.1:8091/admin/)"; }
cp data/users.json /tmp/rt-users.bak
probe "session, users.json intact"
echo '{not json' > data/users.json; sleep 1.2; probe "users.json corrupt"
printf '%s' "$(curl -s http://127.0.0.1:8091/.mamori/signin | grep -o 'Sign-in is not available[^<]*')"; echo
rm data/users.json; sleep 1.2; probe "users.json missing"
node -e "const u=JSON.parse(require('fs').readFileSync('/tmp/rt-users.bak'));u.pad='x'.repeat(5e6);require('fs').writeFileSync('data/users.json',JSON.stringify(u))"; sleep 1.2; probe "users.json 5 MB"
node -e "const u=JSON.parse(require('fs').readFileSync('/tmp/rt-users.bak'));u.users.push({...u.users[0],name:'__proto__'});require('fs').writeFileSync('data/users.json',JSON.stringify(u))"; sleep 1.2; probe "users.json + user __proto__"
cp /tmp/rt-users.bak data/users.json; touch data/users.json; sleep 1.2; probe "users.json restored"
