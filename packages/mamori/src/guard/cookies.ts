/** Cookie reading and writing, bounded. */
export function readCookie(header: string | readonly string[] | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const text = Array.isArray(header) ? header.join('; ') : (header as string);
  if (text.length > 16_384) return undefined;
  // (Each login reads its cookies: a name that is nowhere in the text is not among them, and the
  // parts are walked in place rather than split into an array.)
  if (!text.includes(name)) return undefined;
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf(';', start);
    if (end < 0) end = text.length;
    const eq = text.indexOf('=', start);
    if (eq >= 0 && eq < end && text.slice(start, eq).trim() === name) return text.slice(eq + 1, end).trim();
    start = end + 1;
  }
  return undefined;
}

export function serializeCookie(name: string, value: string, opts: { maxAgeSec: number; secure: boolean }): string {
  return `${name}=${value}; Max-Age=${Math.floor(opts.maxAgeSec)}; Path=/; HttpOnly; SameSite=Lax${opts.secure ? '; Secure' : ''}`;
}
