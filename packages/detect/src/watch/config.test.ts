import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateWatchConfig } from './config.js';

describe('the watch: section', () => {
  it('reads every input kind with its defaults', () => {
    const c = validateWatchConfig({
      inputs: [
        { file: '/var/log/nginx/access.log', format: 'nginx.access' },
        { file: '/var/log/auth.log', start_at: 'start' },
        { syslog: { transport: 'tcp', port: 6514 } },
        { syslog: {} },
        { journal: { filters: ['-u', 'ssh.service'] } },
        { journal: true },
        { http: { token_env: 'MAMORI_LOG_TOKEN' } },
        { stdin: true, format: 'sshd' },
        { syslog: { transport: 'tls', tls: { cert: '/etc/mamori/syslog.pem', key: '/etc/mamori/syslog.key', ca: '/etc/mamori/senders-ca.pem' }, senders: ['192.0.2.10'] } },
      ],
      sigma: ['/etc/mamori/sigma'],
      allow: ['192.0.2.0/24'],
    });
    assert.deepEqual(c.inputs[0], { kind: 'file', path: '/var/log/nginx/access.log', format: 'nginx.access', startAt: 'end' });
    assert.deepEqual(c.inputs[1], { kind: 'file', path: '/var/log/auth.log', format: 'auto', startAt: 'start' });
    assert.deepEqual(c.inputs[2], { kind: 'syslog', transport: 'tcp', host: '127.0.0.1', port: 6514, format: 'auto' });
    assert.deepEqual(c.inputs[3], { kind: 'syslog', transport: 'udp', host: '127.0.0.1', port: 5514, format: 'auto' });
    assert.deepEqual(c.inputs[4], { kind: 'journal', filters: ['-u', 'ssh.service'], format: 'auto' });
    assert.deepEqual(c.inputs[5], { kind: 'journal', filters: [], format: 'auto' });
    assert.deepEqual(c.inputs[6], { kind: 'http', host: '127.0.0.1', port: 5515, path: '/events', tokenEnv: 'MAMORI_LOG_TOKEN', format: 'auto' });
    assert.deepEqual(c.inputs[7], { kind: 'stdin', format: 'sshd' });
    assert.deepEqual(c.inputs[8], { kind: 'syslog', transport: 'tls', host: '127.0.0.1', port: 6514, format: 'auto', senders: ['192.0.2.10'], tls: { cert: '/etc/mamori/syslog.pem', key: '/etc/mamori/syslog.key', ca: '/etc/mamori/senders-ca.pem' } });
    assert.deepEqual([c.builtin, c.simulate, c.maxLineBytes, c.linesPerSecond, c.sigma, c.allow], [true, false, 16384, 0, ['/etc/mamori/sigma'], ['192.0.2.0/24']]);
    assert.deepEqual(validateWatchConfig(undefined).inputs, []);
  });

  it('names the key path of every mistake', () => {
    const cases: [unknown, RegExp][] = [
      [{ inputs: [{ file: 'relative.log' }] }, /watch\.inputs\[0\]\.file: must be an absolute path/],
      [{ inputs: [{ file: '/a', syslog: {} }] }, /watch\.inputs\[0\]: give one of file/],
      [{ inputs: [{ file: '/a', format: 'iis' }] }, /watch\.inputs\[0\]\.format: "iis" is not a log format/],
      [{ inputs: [{ syslog: { transport: 'sctp' } }] }, /watch\.inputs\[0\]\.syslog\.transport: is udp, tcp or tls/],
      [{ inputs: [{ syslog: { transport: 'tls' } }] }, /watch\.inputs\[0\]\.syslog\.tls: must be/],
      [{ inputs: [{ syslog: { transport: 'tls', tls: { cert: 'rel.pem', key: '/k' } } }] }, /watch\.inputs\[0\]\.syslog\.tls\.cert: must be an absolute path/],
      [{ inputs: [{ syslog: { transport: 'tcp', tls: { cert: '/c', key: '/k' } } }] }, /watch\.inputs\[0\]\.syslog\.tls: is for transport tls/],
      [{ inputs: [{ syslog: { port: 70000 } }] }, /watch\.inputs\[0\]\.syslog\.port: must be a whole number/],
      [{ inputs: [{ http: { token_env: 'not a name' } }] }, /token_env: must name an environment variable/],
      [{ inputs: [{ http: {} }] }, /watch\.inputs\[0\]\.http\.token_env: must be a non-empty string/],
      [{ inputs: [{ syslog: {}, start_at: 'start' }] }, /start_at: is for file and mamori inputs/],
      [{ inputs: [{ file: '/a' }, { file: '/a' }] }, /watch\.inputs\[1\]\.file: \/a is given twice/],
      [{ inputs: [{ stdin: true }, { stdin: true }] }, /stdin can be read once/],
      [{ inputs: [{ file: '/a\nb' }] }, /must not hold control characters/],
      [{ inputs: 'x' }, /watch\.inputs: must be a list/],
      [{ input: [] }, /watch\.input: unknown key/],
      [{ max_line_bytes: 10 }, /watch\.max_line_bytes: must be a whole number from 256/],
      [{ simulate: 'yes' }, /watch\.simulate: must be true or false/],
    ];
    for (const [raw, want] of cases) assert.throws(() => validateWatchConfig(raw), (e: Error & { code?: string }) => e.code === 'MAMORI_ERR_CONFIG_INVALID' && want.test(e.message), JSON.stringify(raw));
    assert.equal(cases.length, 18);
  });
});
