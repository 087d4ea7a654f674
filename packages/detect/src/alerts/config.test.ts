import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isMamoriError } from 'mamori';
import { validateAlertsConfig } from './config.js';

function fails(raw: unknown, message: RegExp): void {
  assert.throws(
    () => validateAlertsConfig(raw),
    (e) => isMamoriError(e, 'MAMORI_ERR_CONFIG_INVALID') && message.test((e as Error).message),
    String(message),
  );
}

describe('the alerts config', () => {
  it('defaults: decisions on, loopback never decided on, no firewall, no notifiers', () => {
    const c = validateAlertsConfig(undefined);
    assert.deepEqual(c, { maxAlerts: 100_000, eventsPerMinute: 60, decisions: { enabled: true, never: ['127.0.0.0/8', '::1/128'], minPrefix4: 16, minPrefix6: 32, maxTtlMs: 30 * 86_400_000 }, notifiers: [] });
  });

  it('a full section, typed and defaulted', () => {
    const c = validateAlertsConfig({
      console_url: 'https://mamori.example.com/',
      decisions: { never: ['192.0.2.10'], min_prefix: { ipv4: 24 }, max_duration: '7d' },
      firewall: { dry_run: true },
      notifiers: [
        { kind: 'webhook', url: 'https://hooks.example.com/x', secret: 'sixteen-chars-min!' },
        { kind: 'slack', url: 'https://hooks.slack.com/services/T/B/X', min_severity: 'high', window: '10m' },
        { kind: 'email', host: 'mail.example.com', username: 'a@example.com', password: 'p', from: 'a@example.com', to: ['b@example.com'] },
        { kind: 'syslog', host: '10.0.0.5', protocol: 'tcp' },
      ],
    });
    assert.equal(c.consoleUrl, 'https://mamori.example.com');
    assert.deepEqual(c.decisions.never, ['127.0.0.0/8', '::1/128', '192.0.2.10']);
    assert.equal(c.decisions.minPrefix4, 24);
    assert.equal(c.decisions.maxTtlMs, 7 * 86_400_000);
    assert.deepEqual(c.firewall, { kind: 'nftables', table: 'mamori', chain: true, priority: -10, dryRun: true, command: ['nft'] });
    assert.deepEqual(c.notifiers.map((n) => n.name), ['webhook 1', 'slack 2', 'email 3', 'syslog 4']);
    const email = c.notifiers[2]!;
    assert.ok(email.kind === 'email' && email.port === 587 && email.tls === 'starttls' && email.maxPerHour === 12);
    const slack = c.notifiers[1]!;
    assert.equal(slack.windowMs, 600_000);
    const sys = c.notifiers[3]!;
    assert.ok(sys.kind === 'syslog' && sys.port === 514 && sys.framing === 'newline' && sys.facility === 10);
  });

  it('errors name the key path', () => {
    fails({ consol_url: 'x' }, /^alerts\.consol_url: unknown key/);
    fails({ notifiers: [{ kind: 'webhook', url: 'https://h/' }, { kind: 'syslog', host: 'h', port: 70000 }] }, /^alerts\.notifiers\[1\]\.port: must be a whole number from 1 to 65535/);
    fails({ notifiers: [{ kind: 'pager' }] }, /^alerts\.notifiers\[0\]\.kind: must be one of webhook, slack, email, syslog/);
    fails({ notifiers: [{ kind: 'slack', url: 'https://h/', host: 'x' }] }, /^alerts\.notifiers\[0\]\.host: unknown key/);
    fails({ notifiers: [{ kind: 'webhook', url: 'http://hooks.example.com/' }] }, /^alerts\.notifiers\[0\]\.url: must be an https URL/);
    fails({ notifiers: [{ kind: 'webhook', url: 'https://h/', secret: 'short' }] }, /secret: must be at least 16/);
    fails({ notifiers: [{ kind: 'email', host: 'm', tls: 'none', username: 'u', from: 'a@b.c', to: ['d@e.f'] }] }, /^alerts\.notifiers\[0\]\.username: credentials are never sent without TLS/);
    fails({ notifiers: [{ kind: 'email', host: 'm', from: 'a@b.c', to: ['x@y.z', 'bad\r\nBcc: e@f.g'] }] }, /^alerts\.notifiers\[0\]\.to\[1\]: must not hold control characters/);
    fails({ notifiers: [{ kind: 'email', host: 'm', from: 'a@b.c', to: ['no-at-sign'] }] }, /^alerts\.notifiers\[0\]\.to\[0\]: must be an e-mail address/);
    fails({ notifiers: [{ kind: 'slack', url: 'https://h/', window: '5 minutes' }] }, /^alerts\.notifiers\[0\]\.window: .*not a duration/);
    fails({ notifiers: [{ kind: 'slack', url: 'https://h/', name: 'a' }, { kind: 'slack', url: 'https://h/', name: 'a' }] }, /^alerts\.notifiers\[1\]\.name: "a" is used twice/);
    fails({ decisions: { never: ['10.0.0.0/33'] } }, /^alerts\.decisions\.never\[0\]: "10\.0\.0\.0\/33" is not/);
    fails({ firewall: { table: 'a b' } }, /^alerts\.firewall\.table: must be a letter/);
    fails({ firewall: { command: 'nft -f /etc/x' } }, /^alerts\.firewall\.command: must be a list/);
    fails([], /^alerts: must be a mapping/);
  });
});
