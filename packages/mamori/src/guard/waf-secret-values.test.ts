/** Secrets found by value in a transaction's variables, hidden wherever they show up again in what the WAF writes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyVariables, headerVariables, type BodyProcessor } from '../waf/engine/request-variables.js';
import type { WafRequest } from '../waf/request/request.js';
import { hidden, maskMatched, maskTarget } from './waf-mask.js';
import { SecretValues, secretValues } from './waf-secret-values.js';

function vars(uri: string, headers: [string, string][], body?: string, processor?: BodyProcessor) {
  const req: WafRequest = { method: body ? 'POST' : 'GET', uri, protocol: 'HTTP/1.1', headers, body: body === undefined ? undefined : Buffer.from(body, 'latin1'), remoteAddr: '127.0.0.1', remotePort: 1, serverAddr: '127.0.0.1', serverPort: 80 };
  const v = headerVariables(req, 'tx1');
  if (body !== undefined) bodyVariables(v, req, processor);
  return v;
}
const seen = (s: SecretValues, text: string) => s.mask(text, hidden, 4096);

test('collects what sits under secret names: arguments, JSON paths, cookies, headers, XML elements, path tokens', () => {
  const v = vars(
    '/reset-password/Zq14x7SECRETvalue?user=bob&p=Zq1pvalue&q=x',
    [
      ['Host', 'shop.example'],
      ['User-Agent', 'Mozilla/5.0'],
      ['Authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.Zq2bearer'],
      ['Cookie', 'lang=ja; wordpress_sec_0123abcd=admin%7C1767225600%7CZq3wpToken0123456789%7Cabcdef0123456789abcdef; _opaque=A1b2C3d4E5f6G7h8I9j0; prefs=dark'],
      ['Content-Type', 'application/json'],
    ],
    '{"credentials":["bob","Zq4arrayPass"],"login":{"p":"Zq5jsonP"},"note":"hello"}',
    'JSON',
  );
  const s = secretValues(v, '/reset-password/Zq14x7SECRETvalue?user=bob&p=Zq1pvalue&q=x');
  for (const secret of ['Zq14x7SECRETvalue', 'Zq1pvalue', 'eyJhbGciOiJIUzI1NiJ9.Zq2bearer', 'Zq3wpToken0123456789', 'A1b2C3d4E5f6G7h8I9j0', 'Zq4arrayPass', 'Zq5jsonP']) {
    assert.equal(seen(s, `x ${secret} y`), `x ${hidden(secret.length)} y`, secret);
  }
  // Not secrets: shown cookies and headers, plain arguments, short cookie values, names.
  for (const plain of ['shop.example', 'Mozilla/5.0', 'hello', 'dark', 'bob', 'wordpress_sec']) assert.equal(seen(s, `x ${plain} y`), `x ${plain} y`, plain);
  assert.equal(seen(s, 'lang=ja'), 'lang=ja');

  const xml = vars('/soap', [['Content-Type', 'application/xml']], '<login><user>bob</user><wsse:Password Type="x">Zq6xml</wsse:Password><a secret="Zq7attr"/></login>', 'XML');
  const sx = secretValues(xml, '/soap');
  assert.equal(seen(sx, "bobZq6xml' OR 1=1"), `bob${hidden(6)}' OR 1=1`, 'an element named like a secret');
  assert.equal(seen(sx, 'Zq7attr'), hidden(7), 'an attribute');
  assert.equal(seen(sx, 'bob'), 'bob');

  const form = vars('/login', [['Content-Type', 'application/x-www-form-urlencoded']], 'user=bob&pw=Zq8%2Bform', 'URLENCODED');
  const sf = secretValues(form, '/login', new Set(['pw']));
  assert.equal(seen(sf, 'user=bob&pw=Zq8%2Bform'), `user=bob&pw=${hidden(10)}`, 'as sent in the body');
  assert.equal(seen(sf, 'zq8+form'), hidden(8), 'decoded, lowercased');
});

test('masking an attack beside a secret keeps the attack; the same secret in several places is hidden in each', () => {
  const v = vars('/x', [['Cookie', 'sid=Zq9session']], 'password=Zq9session&q=%3Cscript%3E', 'URLENCODED');
  const s = secretValues(v, '/x');
  assert.equal(maskMatched('REQUEST_BODY', 'password=Zq9session&q=<script>', undefined, 256, s), 'password=***&q=<script>');
  assert.equal(maskMatched('ARGS:q', 'Zq9session<script>Zq9session', undefined, 256, s), `${hidden(10)}<script>${hidden(10)}`);
  assert.equal(maskTarget('/x?next=Zq9session', undefined, 1024, s), '/x?next=***');
});

test('bounded: at most 64 values, 256 pieces, 16 KiB; a long value is hidden whole, as pieces that merge', () => {
  const s = new SecretValues();
  const jwt = `eyJ${'Ab3'.repeat(400)}`; // 1,203 bytes
  s.add(jwt);
  assert.equal(seen(s, `Bearer ${jwt}.`), `Bearer ${hidden(jwt.length)}.`);
  for (let i = 0; i < 1000; i++) s.add(`value-${i}-${'x'.repeat(300)}`);
  assert.ok(s.size <= 256, String(s.size));
  assert.equal(seen(s, `Bearer ${jwt}.`), `Bearer ${hidden(jwt.length)}.`, 'what came first is kept');
  const few = new SecretValues();
  few.add('abc');
  assert.equal(few.size, 0, 'under 4 bytes: not looked for');
  // The work is bounded by the limit: a megabyte of text is read up to the limit and a piece.
  const big = 'y'.repeat(1_000_000);
  assert.equal(s.mask(big, hidden, 512).length, 512);
});
