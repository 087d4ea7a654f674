// Raw HTTP/1.1 client helper: send exact bytes to 127.0.0.1:PORT, return the first response text (or all on close).
import net from 'node:net';
export function raw(bytes, port = 8091, wait = 1500) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    const t = setTimeout(() => { s.destroy(); resolve(out); }, wait);
    s.on('data', (d) => { out += d.toString('latin1'); });
    s.on('close', () => { clearTimeout(t); resolve(out); });
    s.on('error', () => { clearTimeout(t); resolve(out || 'ERR'); });
    s.write(bytes);
  });
}
export const status = (r) => (r.match(/^HTTP\/1\.1 (\d+)/) || [, r ? r.slice(0, 30) : 'none'])[1];
