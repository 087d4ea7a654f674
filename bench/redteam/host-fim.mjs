#!/usr/bin/env node
// Findings H11, H12, H13, H19 (README-host.md), all in packages/host/src/fim (open: another
// helper is changing it). Run: node bench/redteam/host-fim.mjs [--deep N=600]
//  H11 a directory named like an excluded file ("x.log/") hides the PHP files below it;
//  H12 `fim watch` does not report a file whose name is not valid UTF-8;
//  H13 an older signed baseline copied back verified (what was accepted since reappeared); now refused;
//  H19 init CPU grows with the cube of a tree's depth.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, project, verdict } from './host-lib.mjs';

const sleep = (ms) => new Promise((d) => setTimeout(d, ms));
{
  const { dir, mamori } = project();
  mkdirSync(join(dir, 'www', 'uploads'), { recursive: true });
  writeFileSync(join(dir, 'www', 'index.php'), '<?php echo 1;');
  mamori('fim', 'init', 'www', '--exclude', '*.log');
  mkdirSync(join(dir, 'www', 'uploads', 'x.log'));
  writeFileSync(join(dir, 'www', 'uploads', 'x.log', 'shell.php'), "<?php system($_GET['c']);");
  const r = mamori('fim', 'check', '--json');
  const j = JSON.parse(r.out);
  verdict('H11 a PHP file under a directory named "x.log" is reported', j.added.some((a) => a.path.endsWith('shell.php')), `added: ${j.added.map((a) => a.path.slice(dir.length)).join(' ') || 'nothing'}; changed: ${j.changed.map((c) => c.path.slice(dir.length)).join(' ')}`);

  // H13: keep a copy of the signed baseline, accept a change, copy the old one back.
  spawnSync('sqlite3', ['-version']);
  mamori('fim', 'accept', '--all', '--reason', 'x.log reviewed');
  copyFileSync(join(dir, 'data', 'fim.db'), join(dir, 'old.db'));
  writeFileSync(join(dir, 'www', 'index.php'), '<?php echo 2; // release 2');
  mamori('fim', 'accept', '--all', '--reason', 'release 2');
  mamori('fim', 'check'); // checkpoint the WAL
  copyFileSync(join(dir, 'old.db'), join(dir, 'data', 'fim.db'));
  const back = mamori('fim', 'check', '--json');
  const k = JSON.parse(back.out);
  verdict('H13 a replayed older baseline is refused', back.code === 3, back.code === 3 ? `exit 3: ${k.error.slice(0, 160)}` : `exit ${back.code}, signature ${k.signature}; reappears as changed: ${k.changed.map((c) => c.path.slice(dir.length)).join(' ')}`);
}
{
  const { dir, mamori } = project();
  mkdirSync(join(dir, 'www'));
  writeFileSync(join(dir, 'www', 'index.php'), '<?php echo 1;');
  mamori('fim', 'init', 'www');
  const w = spawn(process.execPath, [BIN, 'fim', 'watch', '--debounce', '200ms'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  w.stdout.on('data', (d) => (out += d));
  w.stderr.on('data', (d) => (out += d));
  for (let i = 0; i < 100 && !/watching/.test(out); i++) await sleep(100);
  const start = out.length;
  writeFileSync(Buffer.concat([Buffer.from(`${dir}/www/`), Buffer.from([0xff, 0xfe]), Buffer.from('.php')]), "<?php system($_GET['c']);");
  await sleep(2500);
  const alone = out.slice(start);
  writeFileSync(join(dir, 'www', 'plain.php'), '<?php echo 2;'); // the same, with a valid name, for comparison
  await sleep(2500);
  w.kill();
  verdict('H12 fim watch reports the file whose name is not valid UTF-8', /\\xff|\uFFFD|not valid UTF-8/.test(alone), `within 2.5 s: ${JSON.stringify(alone.trim().slice(0, 120))}; a valid name: ${/plain\.php/.test(out.slice(start + alone.length)) ? 'reported' : 'not reported'}`);
}
{
  const depth = Number(process.argv[process.argv.indexOf('--deep') + 1]) || 600;
  for (const d of [depth / 2, depth]) {
    const { dir } = project();
    spawnSync(process.execPath, ['-e', "const fs=require('fs');fs.mkdirSync('www');process.chdir('www');for(let i=0;i<Number(process.argv[1]);i++){fs.mkdirSync('a');process.chdir('a');}fs.writeFileSync('f','x')", String(d)], { cwd: dir });
    const r = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, BIN, 'fim', 'init', 'www'], { cwd: dir, encoding: 'utf8' });
    const [user, sys] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
    console.log(`H19 depth ${d}: fim init ${(user + sys).toFixed(2)} s CPU (user ${user}, system ${sys})`);
  }
}
