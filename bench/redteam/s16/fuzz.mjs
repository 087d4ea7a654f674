import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { readLines } from '../../../packages/detect/dist/pipeline/read-lines.js';
let seed = 7; const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
const read = async (chunks, maxLine) => { const out = []; for await (const l of readLines({ path: 'x', open: () => Readable.from(chunks) }, { maxLine })) out.push(JSON.stringify([l.text, l.offset, !!l.truncated])); return out.join('\n'); };
let bad = 0;
for (let t = 0; t < 400; t++) {
  const maxLine = 1 + rnd(20);
  let s = '';
  const n = rnd(30);
  for (let i = 0; i < n; i++) { const len = rnd(3) === 0 ? rnd(60) : rnd(maxLine + 2); s += 'ab€'.repeat(len).slice(0, len); s += rnd(2) ? '\r\n' : '\n'; }
  if (rnd(2)) s += 'tail';
  const buf = Buffer.from(s);
  for (const src of [buf, gzipSync(buf)]) {
    const ref = await read([src], maxLine);
    const chunks = []; let i = 0; while (i < src.length) { const k = 1 + rnd(7); chunks.push(src.subarray(i, i + k)); i += k; }
    const got = await read(chunks, maxLine);
    if (ref !== got) { bad++; if (bad < 3) console.log('DIFF', JSON.stringify(s), maxLine, '\nref', ref, '\ngot', got); }
  }
}
console.log('bad', bad);
