import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, cutText, cutUtf8, decodeLine, type SplitLine } from './lines.js';

function split(chunks: (string | Buffer)[], max = 64, start = 0): { lines: SplitLine[]; s: LineSplitter } {
  const s = new LineSplitter(max, start);
  const lines: SplitLine[] = [];
  for (const c of chunks) s.push(typeof c === 'string' ? Buffer.from(c) : c, lines);
  return { lines, s };
}

describe('LineSplitter', () => {
  it('splits on LF, drops a CR before it, and tracks byte offsets across chunks', () => {
    const { lines, s } = split(['ab\r\ncd', 'e\nfé', 'g\n', 'tail'], 64, 100);
    assert.deepEqual(
      lines.map((l) => [l.text, l.offset, l.end]),
      [
        ['ab', 100, 104],
        ['cde', 104, 108],
        ['fég', 108, 113],
      ],
    );
    assert.equal(s.lineStart, 113);
    assert.equal(s.partialBytes, 4);
    const last: SplitLine[] = [];
    s.flush(last);
    assert.deepEqual(last.map((l) => [l.text, l.offset, l.end]), [['tail', 113, 117]]);
  });

  it('cuts a long line at the bound, on a character boundary, even when it spans many chunks', () => {
    const long = 'é'.repeat(100); // 200 bytes
    const { lines } = split([long.slice(0, 30), long.slice(30, 70), `${long.slice(70)}\nok\n`], 33);
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!.text, 'é'.repeat(16));
    assert.equal(lines[0]!.truncated, true);
    assert.equal(lines[0]!.end, 201);
    assert.deepEqual([lines[1]!.text, lines[1]!.offset, lines[1]!.truncated], ['ok', 201, false]);
  });

  it('a line of exactly the bound is not cut, with or without a CR', () => {
    const { lines } = split(['abcd\nabcd\r\nabcde\n'], 4);
    assert.deepEqual(lines.map((l) => [l.text, l.truncated]), [['abcd', false], ['abcd', false], ['abcd', true]]);
  });

  it('skips empty lines and lines of only NULs; strips NULs and flags bad UTF-8 as malformed', () => {
    const { lines, s } = split([Buffer.from([0, 0, 0, 10]), '\n', Buffer.from([0x61, 0, 0x62, 10, 0x63, 0xff, 0x64, 10]), 'real \uFFFD ok\n']);
    assert.deepEqual(lines.map((l) => [l.text, l.malformed]), [['ab', true], ['c\uFFFDd', true], ['real \uFFFD ok', false]]);
    assert.equal(s.nulOnly, 1);
    assert.equal(lines[0]!.offset, 5);
  });

  it('holds at most the bound of a line that never ends', () => {
    const s = new LineSplitter(1024);
    const out: SplitLine[] = [];
    const chunk = Buffer.alloc(65536, 0x41);
    for (let i = 0; i < 256; i++) s.push(chunk, out); // 16 MiB without an LF
    s.push(Buffer.from('\n'), out);
    assert.equal(out.length, 1);
    assert.equal(out[0]!.text.length, 1024);
    assert.equal(out[0]!.end, 16 * 1024 * 1024 + 1);
  });
});

describe('cutting', () => {
  it('cutUtf8 never splits a character; cutText measures bytes', () => {
    const b = Buffer.from('a€b'); // 1 + 3 + 1
    assert.equal(cutUtf8(b, 3).toString(), 'a');
    assert.equal(cutUtf8(b, 4).toString(), 'a€');
    assert.deepEqual(cutText('a€b', 2), { text: 'a', truncated: true });
    assert.deepEqual(cutText('abc', 3), { text: 'abc', truncated: false });
    assert.equal(decodeLine(Buffer.alloc(0)), null);
    assert.deepEqual(decodeLine(Buffer.from('x\r')), { text: 'x', malformed: false });
  });
});
