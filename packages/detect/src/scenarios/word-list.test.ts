import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from 'mamori/internal';
import { WordList } from './word-list.js';

describe('WordList (one Aho-Corasick automaton per list)', () => {
  it('agrees with a naive search on random words and texts', () => {
    const rng = new SeededRandom(7);
    const alphabet = 'abc/.Ä';
    const word = (max: number) => {
      let s = '';
      const n = 1 + Math.floor(rng.float() * max);
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(rng.float() * alphabet.length)];
      return s;
    };
    let checked = 0;
    for (let round = 0; round < 40; round++) {
      const words = Array.from({ length: 1 + Math.floor(rng.float() * 30) }, () => word(5));
      const ci = round % 2 === 1;
      // Every fourth round on the trie and failure links (the form of lists too large for a table).
      const list = new WordList('r', words, { caseInsensitive: ci, ...(round % 4 >= 2 ? { denseCells: 0 } : {}) });
      const norm = (s: string) => (ci ? s.replace(/[A-Z]/g, (ch) => ch.toLowerCase()) : s);
      const ws = words.map(norm);
      for (let k = 0; k < 200; k++) {
        const text = rng.float() < 0.3 ? word(12).toUpperCase() : word(12);
        const t = norm(text);
        assert.equal(list.contains(text), ws.some((w) => t.includes(w)), `contains ${text} in ${words}`);
        assert.equal(list.startsWith(text), ws.some((w) => t.startsWith(w)), `startsWith ${text} in ${words}`);
        assert.equal(list.endsWith(text), ws.some((w) => t.endsWith(w)), `endsWith ${text} in ${words}`);
        assert.equal(list.equals(text), ws.includes(t), `equals ${text}`);
        checked++;
      }
    }
    assert.equal(checked, 8000);
  });

  it('characters outside the list\'s alphabet, overlaps and suffix matches', () => {
    const l = new WordList('x', ['he', 'she', 'his', 'hers', '東京'], { caseInsensitive: true });
    assert.equal(l.contains('USHERS'), true);
    assert.equal(l.contains('h€i s'), false);
    assert.equal(l.contains('→東京←'), true);
    assert.equal(l.endsWith('ushe'), true, 'ends with she and he');
    assert.equal(l.startsWith('hi'), false);
    assert.equal(l.startsWith('hisx'), true);
    assert.equal(l.size, 5);
  });

  it('cost does not grow with the list: 50,000 words, one step a character', () => {
    const words = Array.from({ length: 50_000 }, (_, i) => `/path-${i.toString(36)}/file`);
    const l = new WordList('big', words);
    assert.equal(l.contains(`GET ${words[49_999]}?x=1`), true);
    assert.equal(l.contains('GET /path-zzzzzz/fil'), false);
  });

  it('refuses empty words and oversize lists', () => {
    assert.throws(() => new WordList('e', ['a', '']), /empty/);
    assert.throws(() => new WordList('l', ['x'.repeat(2000)]), /longer than 1024/);
  });
});
