// n lines mixed sshd/nginx, with brute-force sources
const n = Number(process.argv[2] ?? 1000);
const out = [];
let buf = '';
const t0 = Date.UTC(2026, 11, 3, 10);
for (let i = 0; i < n; i++) {
  const t = new Date(t0 + i * 50);
  const ip = `203.0.${(i >> 8) & 255}.${i % 7}`;
  if (i % 2 === 0) buf += `${t.toISOString()} web01 sshd[42]: Failed password for root from ${ip} port ${40000 + (i % 20000)} ssh2\n`;
  else {
    const d = t.toUTCString().split(' ');
    const mon = d[2]; const day = d[1]; const yr = d[3]; const hms = d[4];
    buf += `${ip} - - [${day}/${mon}/${yr}:${hms} +0000] "GET /wp-login.php?x=${i} HTTP/1.1" 404 153 "-" "curl/8"\n`;
  }
  if (buf.length > 1 << 20) { process.stdout.write(buf); buf = ''; }
}
process.stdout.write(buf);
