/** Cookie reading and writing, bounded. */
export function readCookie(header: string | readonly string[] | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const text = Array.isArray(header) ? header.join('; ') : (header as string);
  if (text.length > 16_384) return undefined;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function serializeCookie(name: string, value: string, opts: { maxAgeSec: number; secure: boolean }): string {
  return `${name}=${value}; Max-Age=${Math.floor(opts.maxAgeSec)}; Path=/; HttpOnly; SameSite=Lax${opts.secure ? '; Secure' : ''}`;
}
