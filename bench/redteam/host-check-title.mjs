#!/usr/bin/env node
// Finding H14 (README-host.md): a process names itself ("\r ESC[2K sshd"; prctl or
// process.title) and listens; `mamori host check` printed the name raw on the unknown-listener
// line, so a terminal showed the line rewritten. Listens on 127.0.0.1 only (--include-loopback).
// Run: node bench/redteam/host-check-title.mjs
import { spawn } from 'node:child_process';
import { project, verdict } from './host-lib.mjs';

const child = spawn(process.execPath, ['-e', "process.title='\\r\\x1b[2Ksshd\\nfake'; const s=require('net').createServer().listen(0,'127.0.0.1',()=>console.log(s.address().port)); setTimeout(()=>process.exit(0),30000)"], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((d) => child.stdout.once('data', (x) => d(Number(String(x)))));
const { mamori } = project();
const r = mamori('host', 'check', '--no-hash', '--no-proxyware', '--include-loopback');
child.kill();
const line = r.out.split('\n').find((l) => l.includes(`:${port}/`)) ?? '';
console.log(JSON.stringify(line));
verdict('H14 no control characters reach the terminal', !/[\r\x1b]/.test(r.out));
