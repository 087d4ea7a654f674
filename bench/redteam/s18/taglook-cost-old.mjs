const TAG_WINDOW = 24;
function opensCode(b, i) {
  if ((b[i + 2] | 0x20) === 0x70 && (b[i + 3] | 0x20) === 0x68 && (b[i + 4] | 0x20) === 0x70) return true;
  const c = b[i + 2];
  if (c !== 0x3d && c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) return false;
  let code = false;
  for (let k = i + 3; k < Math.min(b.length, i + 2 + TAG_WINDOW); k++) { const x = b[k]; if (x === 0x24 || x === 0x28 || x === 0x60) code = true; else if ((x < 0x20 || x > 0x7e) && x !== 0x0a && x !== 0x0d && x !== 0x09) return false; }
  return code;
}
function phpTagPast(from) {
  let found; let carry = Buffer.alloc(0); let carryAt = 0;
  const look = (b, at, final) => { for (let i = b.indexOf('<?'); i >= 0 && found === undefined; i = b.indexOf('<?', i + 1)) { if (!final && i + 2 + TAG_WINDOW > b.length) return; if (at + i >= from && opensCode(b, i)) found = at + i; } };
  return { feed(bytes, at) { if (found !== undefined || at + bytes.length <= from - 2 - TAG_WINDOW) return; if (carry.length && carryAt + carry.length === at) look(Buffer.concat([carry, bytes.subarray(0, 2 + TAG_WINDOW)]), carryAt, false); if (found === undefined) look(bytes, at, false); const tail = carry.length && carryAt + carry.length === at ? Buffer.concat([carry, bytes]) : bytes; carry = Buffer.from(tail.subarray(Math.max(0, tail.length - (2 + TAG_WINDOW)))); carryAt = at + bytes.length - carry.length; }, end() { if (found === undefined && carry.length) look(carry, carryAt, true); }, get at() { return found; } };
}
const chunk = Buffer.alloc(1 << 20, process.argv[2] ?? '<?');
const t = process.cpuUsage(); const p = phpTagPast(0); for (let i = 0; i < 64; i++) p.feed(chunk, i << 20); p.end();
console.log('old phpTagPast (9e3a878^) 64 MiB:', process.cpuUsage(t).user / 1e6, 's');
