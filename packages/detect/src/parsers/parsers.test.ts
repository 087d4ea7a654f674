import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { RawLine } from '../model.js';
import { FIELDS } from '../model.js';
import { createParsers, PARSER_NAMES, sniffFormat } from './registry.js';

const CASES = fileURLToPath(new URL('../../src/parsers/testdata/cases.yaml', import.meta.url));
const RECEIVED = Date.parse('2026-12-03T15:00:00Z');

interface Case {
  parser: string;
  line: string;
  receivedAt?: string;
  meta?: { program?: string; pid?: number; time?: string };
  time?: string;
  expect: Record<string, string | number | boolean | null> | null;
}

describe('parsers: fixtures (testdata/cases.yaml)', () => {
  const doc = parseYaml(readFileSync(CASES, 'utf8')) as { cases: Case[] };
  const parsers = createParsers({ timeZone: 'utc' });
  let ran = 0;
  const perParser = new Map<string, number>();
  for (const [i, c] of doc.cases.entries()) {
    it(`#${i} ${c.parser}: ${c.line.slice(0, 70)}`, () => {
      const meta = c.meta ? { ...c.meta, time: c.meta.time ? Date.parse(c.meta.time) : undefined } : undefined;
      const line: RawLine = {
        text: c.line,
        input: 'fixture',
        receivedAt: c.receivedAt ? Date.parse(c.receivedAt) : RECEIVED,
        ...(meta ? { meta: Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined)) } : {}),
      };
      const e = parsers.get(c.parser).parse(line);
      ran++;
      perParser.set(c.parser, (perParser.get(c.parser) ?? 0) + 1);
      if (c.expect === null) {
        assert.equal(e, null, `expected no event, got ${JSON.stringify(e?.fields)}`);
        return;
      }
      assert.ok(e, 'expected an event');
      assert.equal(typeof e.fields['event.dataset'], 'string', 'event.dataset is always set');
      // `~` (null) in a case: the field must be absent.
      for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(e.fields[k], v ?? undefined, `${k} in ${JSON.stringify(e.fields)}`);
      if (c.time) assert.equal(new Date(e.time).toISOString(), c.time);
      assert.equal(e.line, line);
      // Every field a parser sets is one the contract lists (FIELDS), mamori's own events aside.
      if (e.fields['event.dataset'] !== 'mamori') for (const k of Object.keys(e.fields)) assert.ok(k in FIELDS, `${k} is not in FIELDS`);
    });
  }
  it('ran every case, and each built-in parser has some', () => {
    assert.equal(ran, doc.cases.length);
    assert.ok(ran >= 70, `only ${ran} cases`);
    for (const name of PARSER_NAMES) assert.ok((perParser.get(name) ?? 0) >= 1, `no case for ${name}`);
  });
});

describe('parsers: hostile input', () => {
  const parsers = createParsers({ timeZone: 'utc' });
  const names = [...PARSER_NAMES, 'auto'];
  const hostile: [string, string][] = [
    ['64 KiB of quotes and backslashes', `203.0.113.9 - - [03/Dec/2026:14:00:00 +0000] "${'\\"'.repeat(32 * 1024)}`],
    ['64 KiB of backslashes in a quoted field', `203.0.113.9 - - [03/Dec/2026:14:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "${'\\'.repeat(64 * 1024)}`],
    ['64 KiB sshd user of " from " repeats', `Dec  3 14:00:00 h sshd[1]: Invalid user ${' from 203.0.113.9 port 1'.repeat(2700)}x`],
    ['64 KiB failed password without a port', `Dec  3 14:00:00 h sshd[1]: Failed password for invalid user ${'a '.repeat(32 * 1024)} from 203.0.113.9`],
    ['64 KiB of spaces', ' '.repeat(64 * 1024)],
    ['64 KiB of = pairs', 'a=b '.repeat(16 * 1024)],
    ['64 KiB of escapes in one quoted value', `date=2026-12-03 logid="1" type="x" devid="y" msg="${'\\"'.repeat(32 * 1024)}"`],
    ['64 KiB key without =', `${'k'.repeat(64 * 1024)} a=b`],
    ['64 KiB nested JSON', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`],
    ['64 KiB pam user', `Dec  3 14:00:00 h sshd[1]: pam_unix(sshd:auth): authentication failure; ${'rhost= '.repeat(9000)}`],
    ['64 KiB apache error', `[Thu Dec 03 14:00:00 2026] [error] [client ${'['.repeat(64 * 1024)}`],
    ['64 KiB netscaler', `x SSLVPN LOGIN 1 0 : ${'- User '.repeat(9000)}`],
    ['64 KiB ivanti', `${'- x - [1.2.3.4] '.repeat(4000)}`],
    ['64 KiB GlobalProtect', `1,2026/12/03 14:00:00,s,GLOBALPROTECT,${'"'.repeat(64 * 1024)}`],
    ['NUL and control bytes', '\u0000\u0001\u001b[31m\r\n\u2028'],
    ['lone surrogates', '\ud800\udfff\udc00'],
  ];
  for (const [what, text] of hostile) {
    it(`${what}: every parser answers (event or null), none throws`, () => {
      let answered = 0;
      for (const name of names) {
        const e = parsers.get(name).parse({ text, input: 'hostile', receivedAt: RECEIVED });
        assert.ok(e === null || typeof e.fields['event.dataset'] === 'string');
        if (e) for (const v of Object.values(e.fields)) if (typeof v === 'string') assert.ok(v.length <= 4097, 'field values are bounded');
        answered++;
      }
      assert.equal(answered, names.length);
    });
  }
  it('an sshd user name cannot put another address in source.ip', () => {
    const e = parsers.get('sshd').parse({ text: 'Dec  3 14:00:00 h sshd[1]: Invalid user x from 192.0.2.250 port 22 from 203.0.113.9 port 4444', input: 't', receivedAt: RECEIVED });
    assert.equal(e?.fields['source.ip'], '203.0.113.9');
    assert.equal(e?.fields['user.name'], 'x from 192.0.2.250 port 22');
  });
});

describe('parsers: auto-detection', () => {
  const parsers = createParsers({ timeZone: 'utc' });
  const files: Record<string, string[]> = {
    sshd: ['Dec  3 14:00:00 web1 sshd[1]: Failed password for root from 203.0.113.9 port 1 ssh2', 'Dec  3 14:00:01 web1 systemd[1]: Started x.', 'Dec  3 14:00:02 web1 sshd[2]: Invalid user a from 203.0.113.9 port 2'],
    'nginx.access': ['203.0.113.9 - - [03/Dec/2026:14:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "-"', '203.0.113.9 - - [03/Dec/2026:14:00:01 +0000] "GET /x HTTP/1.1" 404 1 "-" "-"'],
    'nginx.json': ['{"remote_addr":"203.0.113.9","request":"GET / HTTP/1.1","status":200}'],
    mamori: ['{"@timestamp":"2026-12-03T14:00:00.000Z","event.action":"lockout","event.category":"authentication"}'],
    json: ['{"level":"info","msg":"hello"}', '{"level":"warn","msg":"again"}'],
    'nginx.error': ['2026/12/03 14:00:00 [error] 1#1: *1 x, client: 203.0.113.9, server: a'],
    'apache.error': ['[Thu Dec 03 14:00:00 2026] [error] [client 192.0.2.5] File does not exist: /x'],
    fortigate: ['date=2026-12-03 time=14:00:00 devid="F" logid="0101039426" type="event" subtype="vpn" action="ssl-login-fail"'],
    vpn: ['Dec  3 14:00:00 <local0.warn> 192.0.2.1 12/03/2026:14:00:00 ns 0-PPE-0 : default AAA LOGIN_FAILED 1 0 : User m - Client_ip 203.0.113.9 - Failure_reason "x"'],
    logfmt: ['level=info msg="started" port=8080', 'level=warn msg="slow" took=3s'],
  };
  for (const [want, lines] of Object.entries(files)) {
    it(`first lines of a ${want} file → ${want}`, () => assert.equal(sniffFormat(parsers, lines), want));
  }
  it('nothing recognisable → undefined', () => assert.equal(sniffFormat(parsers, ['hello world', 'lorem ipsum']), undefined));
  it('a mixed file: auto reads each line with its own parser', () => {
    const auto = parsers.get('auto');
    const seen = [...files['sshd']!, ...files['nginx.access']!, ...files['mamori']!, ...files['fortigate']!, ...files['sshd']!]
      .map((text) => auto.parse({ text, input: 'mixed', receivedAt: RECEIVED })?.fields['event.dataset'] ?? null);
    assert.deepEqual(seen, ['sshd', null, 'sshd', 'nginx.access', 'nginx.access', 'mamori', 'fortigate', 'sshd', null, 'sshd']);
  });
  it('a logfmt line does not make auto read the key=value lines after it as logfmt', () => {
    const auto = parsers.get('auto');
    const seen = [files['logfmt']![0]!, files['fortigate']![0]!, 'id=firewall sn=C0 time="2026-12-03 14:00:00" m=1080 msg="SSL VPN zone remote user login allowed" usr="a" src=203.0.113.9:1:X1', files['logfmt']![1]!]
      .map((text) => auto.parse({ text, input: 'mixed', receivedAt: RECEIVED })?.fields['event.dataset'] ?? null);
    assert.deepEqual(seen, ['logfmt', 'fortigate', 'vpn', 'logfmt']);
  });
  it('an unknown parser name is an error that names the choices', () => {
    assert.throws(() => parsers.get('nope'), /nginx\.access/);
  });
});
