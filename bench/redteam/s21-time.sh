#!/bin/bash
# usage: s21-time.sh WORKTREE FILE...  — prints seconds, size, verdict per file (timeout 120 s)
W=$1; shift
for f in "$@"; do
  s=$(date +%s.%N)
  out=$(timeout 120 node $W/packages/cli/dist/bin.js scan --json --all --no-progress "$f" 2>&1)
  rc=$?
  e=$(date +%s.%N)
  v=$(echo "$out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const ls=s.trim().split("\n").map(l=>JSON.parse(l));const r=ls[0];const sm=ls.at(-1);r.score=(r.score??"")+" t="+sm.seconds+" to="+sm.timedOut;console.log((r.verdict??r.status??"?")+" "+(r.score??"")+" "+((r.findings??[]).map(f=>f.rule).join(",").slice(0,200)))}catch(e){console.log("nojson "+s.slice(0,200).replace(/\n/g," "))}})')
  printf "%6.2fs rc=%s %9d %s :: %s\n" $(echo "$e - $s" | bc) $rc $(stat -c %s "$f") "$(basename $f)" "$v"
done
