#!/usr/bin/env node
// Findings H6, H7, H8, H18 (README-host.md): files the scanner did not read. A shell padded past
// --max-file-size, a symlink to code outside the tree, a name that is not valid UTF-8, and a
// tree nested past PATH_MAX (which ended the whole scan). Run: node bench/redteam/host-scan-files.mjs
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { project, verdict } from './host-lib.mjs';

const { dir, mamori } = project();
const www = join(dir, 'www');
mkdirSync(www);
mkdirSync(join(dir, 'outside'));
writeFileSync(join(www, 'pad.php'), `<?php\n/*${'x'.repeat(70_000)}*/\nsystem($_GET['c']);\n`);
writeFileSync(join(dir, 'outside', 'x.txt'), "<?php system($_GET['c']);");
symlinkSync('../outside/x.txt', join(www, 'link.php'));
writeFileSync(Buffer.concat([Buffer.from(`${www}/`), Buffer.from([0xff, 0xfe]), Buffer.from('.php')]), "<?php system($_GET['c']);");
spawnSync(process.execPath, ['-e', "const fs=require('fs');process.chdir(process.argv[1]);for(let i=0;i<17;i++){fs.mkdirSync(process.argv[2]);process.chdir(process.argv[2]);}fs.writeFileSync('f.txt','x')", www, 'n'.repeat(250)]);

const r = mamori('scan', '--json', '--max-file-size', '65536', 'www');
const lines = r.out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const file = (end) => lines.find((l) => l.type === 'file' && l.path.endsWith(end));
verdict('H6 a PHP file padded past --max-file-size is not clean', !!file('pad.php'), file('pad.php')?.verdict ?? 'clean');
verdict('H7 a symlink to code outside the tree: its target is scanned', file('outside/x.txt')?.verdict === 'malicious', file('outside/x.txt')?.verdict ?? 'not scanned');
verdict('H8 a name that is not valid UTF-8 is scanned', file('\\xff\\xfe.php')?.verdict === 'malicious', file('\\xff\\xfe.php')?.verdict ?? 'skipped as vanished');
verdict('H18 a tree past PATH_MAX does not end the scan', r.code === 2 && lines.some((l) => l.type === 'skipped' && /longer than the system allows/.test(l.why)), `exit ${r.code}${r.err ? `: ${r.err.trim().slice(0, 80)}` : ''}`);
