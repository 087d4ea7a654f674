import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { perlCgiCommand, perlLex } from './perl-cgi.js';
import { createScanner } from './scanner.js';

// Perl CGI command shells (session 39) and what red team S39S wrote against the first analyser, written again by us.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);
const why = (r: { score: number; findings: readonly { rule: string; score: number }[] }) => `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`;
const CGI = '#!/usr/bin/perl\nuse CGI;\nmy $q = CGI->new;\n';
const READ_PARSE = `#!/usr/bin/perl\nsub ReadParse { read(STDIN, $buf, $ENV{'CONTENT_LENGTH'}); for (split /&/, $buf) { my ($k, $v) = split /=/, $_, 2; $Form{$k} = $v; } }\n&ReadParse;\n`;

const SHELLS: [string, string][] = [
  ['a parameter in backticks', `${CGI}my $c = $q->param('c');\nprint $q->header, \`$c 2>&1\`;\n`],
  ['a parameter read in list context', `${CGI}my ($c) = $q->param('c');\nsystem($c);\n`],
  ['a parameter given to sh -c in a list', `${CGI}my $c = $q->param('c');\nsystem('/bin/sh', '-c', $c);\n`],
  ['a parameter given to IPC::Open3', `${CGI}use IPC::Open3;\nmy $c = $q->param('c');\nmy $pid = open3(my $in, my $out, undef, $c);\nprint while <$out>;\n`],
  ['a parameter in qx with brackets', `${CGI}my $c = $q->param('c');\nprint qx[$c];\n`],
  ['a parameter run by a string eval', `${CGI}my $c = $q->param('c');\neval $c;\n`],
  ['a parameter wrapped in a decoder', `${CGI}use MIME::Base64;\nmy $c = decode_base64($q->param('c'));\nprint \`$c\`;\n`],
  ['a %Form field joined after a cd, in a write pipe', `${READ_PARSE}$Cmd = "cd /tmp; " . $Form{'cmd'};\nopen(P, "|$Cmd > /tmp/o 2>&1");\nclose(P);\n`],
  ['a field through three assignments', `${CGI}my $a = $q->param('c');\nmy $b = $a;\nmy $d = "$b 2>&1";\nmy $e = $d;\nsystem($e);\n`],
  ['a hash the script fills from the query string by hand', `#!/usr/bin/perl\nmy %p = map { split /=/, $_, 2 } split /&/, $ENV{QUERY_STRING};\nprint "Content-type: text/plain\\n\\n";\nprint \`$p{c} 2>&1\`;\n`],
  ['an array and a hash element given a parameter', `${CGI}my @a = ($q->param('c'));\nmy %h;\n$h{cmd} = $q->param('d');\nsystem($a[0]);\nprint \`$h{cmd}\`;\n`],
  ['a request header from the environment', `#!/usr/bin/perl\nprint "Content-type: text/plain\\n\\n";\nmy $m = $ENV{'REQUEST_METHOD'};\nsystem($ENV{HTTP_X_RUN});\n`],
  // (session 40: red team S39S's open items)
  ['a sub returning a parameter, its call given to system', `${CGI}sub getcmd { return $q->param('c'); }\nprint $q->header;\nsystem(getcmd());\n`],
  ['a sub returning a variable it gave a parameter, through a name', `${CGI}sub field { my $v = $q->param($_[0]); $v =~ s/\\r//g; return $v; }\nmy $c = field('cmd');\nprint $q->header, \`$c\`;\n`],
  ['s///ee over a parameter', `${CGI}my $c = $q->param('c');\n$c =~ s/(.*)/$1/ee;\nprint $q->header, $c;\n`],
  ['s///ee with a parameter as the replacement', `${CGI}my $code = $q->param('x');\nmy $t = "1";\n$t =~ s/1/$code/ee;\n`],
];

const BENIGN: [string, string][] = [
  ['a status page choosing one of its own commands by a parameter', `${CGI}my %commands = (uptime => '/usr/bin/uptime', disk => '/bin/df -h');\nmy $choice = $q->param('show');\nmy $cmd = $commands{$choice} or die;\nsystem($cmd);\n`],
  ['a ping page that validates the host and keeps only the capture', `${CGI}my $host = $q->param('host');\nif ($host =~ /^([A-Za-z0-9.-]{1,253})$/) { $host = $1; } else { die }\nsystem("ping -c 3 $host");\n`],
  ['messages that name system and exec', `${CGI}my $os = $q->param('os');\nprint "<p>Your operating system $os</p>\\n";\nmy $msg = "Could not exec $os";\nprint <<HTML;\n<h1>Monitoring for system $os</h1>\nHTML\n`],
  ['a database handle\'s exec method given a parameter', `${CGI}my $term = $q->param('t');\nmy $db = DBI->connect('dbi:SQLite:x');\n$db->exec($term);\n`],
  ['two fixed commands in backticks with a greeting between', `${CGI}my $user = $q->param('u');\nmy $date = \`date\`; my $greeting = "Hello $user"; my $up = \`uptime\`;\nprint "$date $greeting $up";\n`],
  ['a help text quoting commands in backticks', `${CGI}my $topic = $q->param('t');\nprint "Run \`make\` in $topic and then \`make install\`\\n";\nprint "qx('$topic') is not run here\\n";\n`],
  ['a sub running its own parameter, called with a fixed name', `${CGI}my $file = $q->param('f');\nsub unpack_it { my ($dir, $file) = @_; system("tar xzf $file -C $dir"); }\nunpack_it('/srv', 'upload.tar.gz');\n`],
  ['a script whose "param" is a session\'s, not the request\'s', `#!/usr/bin/perl\nuse CGI::Session;\nmy $s = CGI::Session->load();\nmy $id = $s->param('id');\nsystem("chown www $id");\n`],
  ['the list forms of system and open with a parameter as an argument', `${CGI}my $b = $q->param('b');\nsystem('git', 'log', $b);\nopen(my $fh, '-|', 'git', 'show', $b) or die;\n`],
  ['a sub returning a parameter given to a fixed program; do and require of fixed files; s///ge', `${CGI}sub lang { return $q->param('lang') || 'en'; }\ndo "/etc/app/defaults.pl";\nrequire "./lib/util.pl";\nmy $t = "Hello NAME";\nmy %v = (NAME => lang());\n$t =~ s/(\\w+)/exists $v{$1} ? $v{$1} : $1/ge;\nsystem("/usr/bin/msgfmt", lang());\n`],
  ['a module chosen from a table of its own by a field (BackupPC\'s dispatch), then required', `${READ_PARSE}my %ActionDispatch = (summary => 'Summary', view => 'View');\nmy $action = $ActionDispatch{$Form{action}};\nrequire "App/CGI/$action.pm";\n`],
  ['a punctuation variable before a backtick literal', `${CGI}my $s = $q->param('s');\nmy @m;\npush(@m, $\`) if $s =~ /x/;\nmy $d = \`date\`;\n`],
];

describe('scan: Perl CGI command shells (session 39)', () => {
  for (const [name, src] of SHELLS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, '/usr/lib/cgi-bin/t.cgi');
      assert.equal(r.verdict, 'malicious', why(r));
      assert.ok(r.findings.some((f) => f.rule === 'mamori:perl-cgi'), why(r));
    });
  }
  it('ran every shell', () => assert.equal(SHELLS.length, 16));
  it('calls a do of a file the request names suspicious, not malicious (an application maps actions to modules so)', () => {
    const r = scan(`${CGI}my $f = $q->param('plugin');\ndo $f;\n`, '/usr/lib/cgi-bin/t.cgi');
    assert.equal(r.verdict, 'suspicious', why(r));
    assert.ok(r.findings.some((f) => f.rule === 'mamori:perl-cgi'), why(r));
  });
  for (const [name, src] of BENIGN) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, '/usr/lib/cgi-bin/t.cgi');
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(BENIGN.length, 12));
  it('reads a CGI running its request body read from standard input, and a shell named as an image', () => {
    const r1 = scan(`#!/usr/bin/perl\nmy $c = <STDIN>;\nprint "Content-type: text/plain\\n\\n";\nprint \`$c\`;\n`, '/usr/lib/cgi-bin/in.cgi');
    assert.equal(r1.verdict, 'malicious', why(r1));
    const r2 = scan(`${CGI}my $c = $q->param('c');\nprint $q->header, \`$c\`;\n`, '/var/www/uploads/pic.jpg');
    assert.equal(r2.verdict, 'malicious', why(r2));
    // (a command-line tool reading a line and printing no CGI header is not a CGI)
    assert.equal(perlCgiCommand(`#!/usr/bin/perl\nmy $c = <STDIN>;\nsystem($c);\n`, true).length, 0);
  });
  it('reads a shell kept as a .php behind PHP text, and not a README quoting one', () => {
    const shell = `${CGI}my $c = $q->param('c');\nprint \`$c\`;\n`;
    assert.equal(scan(`<?php echo 1; ?>\n${shell}`, '/var/www/html/x.php').verdict, 'malicious');
    assert.equal(perlCgiCommand(`Never write this:\n\n    use CGI;\n    my $c = $q->param('c');\n    print \`$c\`;\n`, false).length, 0);
  });
  it('lexes strings, quote-like operators, heredocs, POD and comments out of the code', () => {
    const src = `my $a = "system $x"; # exec $y\nmy $b = q{ # }; print <<EOT;\nsystem $z\nEOT\n=pod\n\nsystem $w\n\n=cut\nmy $c = s/a/b/r;\n`;
    const { code, literals } = perlLex(src);
    assert.equal(code.length, src.length);
    assert.doesNotMatch(code, /system|exec/);
    assert.deepEqual(literals.map((l) => l.kind), ['"', 'q', '"', 's']);
  });
  it('reads hostile Perl in bounded time: white space after system and open, quotes and #, POD, heredocs, brackets', () => {
    const sp = ' '.repeat(100_000);
    for (const src of [
      `${CGI}$a = $q->param(1);\nsystem $a${sp}x\nopen(F, "-|", $a${sp}x\n`,
      `${CGI}${'"#'.repeat(60_000)}\n`,
      `${CGI}${'=pod\nx\n=cut\n'.repeat(20_000)}`,
      `${CGI}${'print <<A;\n'.repeat(30_000)}A\n`,
      `${CGI}${'q{'.repeat(60_000)}\n`,
    ]) {
      const r = scan(src, '/usr/lib/cgi-bin/h.cgi');
      assert.notEqual(r.verdict, 'malicious', why(r));
    }
  });
});
