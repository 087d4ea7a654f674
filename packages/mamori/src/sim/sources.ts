/**
 * Source addresses the simulator plays, all from documentation ranges
 * (RFC 5737, RFC 3849) so that nothing it sends can name a real host:
 * attackers in 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32 (each
 * IPv6 source its own /64, as a rotating attacker would use); the real user
 * in 192.0.2.0/24. They reach mamori as `x-forwarded-for`, which only a
 * demo config that trusts loopback believes.
 */

/** The real user's own address (TEST-NET-1). */
export const SIM_USER_IP = '192.0.2.44';

/** The n-th IPv4 attacker address, alternating 198.51.100.0/24 and 203.0.113.0/24 (508 distinct). */
export function ipv4Source(n: number): string {
  const i = Math.abs(Math.trunc(n)) % 508;
  const host = 1 + (i >> 1);
  return i % 2 === 0 ? `198.51.100.${host}` : `203.0.113.${host}`;
}

/** The n-th IPv6 attacker address: a distinct /64 in 2001:db8::/32 for each n (65536 distinct). */
export function ipv6Source(n: number): string {
  const i = Math.abs(Math.trunc(n)) % 65_536;
  const iid = ((i * 0x9e37) & 0xffff).toString(16);
  return `2001:db8:${(0x100 + (i >> 8)).toString(16)}:${(i & 0xff).toString(16)}::${iid === '0' ? '1' : iid}`;
}

/** The n-th source of a mixed crowd: even n IPv4, odd n IPv6. */
export function mixedSource(n: number): string {
  const i = Math.abs(Math.trunc(n));
  return i % 2 === 0 ? ipv4Source(i >> 1) : ipv6Source(i >> 1);
}
