import { createScanner } from '@mamori/host';
const scanner = createScanner({});
const f = process.argv[2]; const n = +process.argv[3] || 20;
scanner.scanFile(f);
const t = process.hrtime.bigint();
for (let i = 0; i < n; i++) scanner.scanFile(f);
console.log(f.split('/').pop(), (Number(process.hrtime.bigint() - t) / 1e6 / n).toFixed(1), 'ms/scan');
