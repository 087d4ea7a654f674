import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FIELDS } from '../model.js';
import { DEFAULT_LOGSOURCES, ECS_FIELDS, findLogsource, mapField } from './logsources.js';
import { EventView } from './view.js';
import { ev } from './events.case.js';

const DATASETS = FIELDS['event.dataset'].split(': ')[1]!.split(', ');

describe('Sigma log sources', () => {
  it('every entry runs on datasets the parsers produce, and maps to ECS names mamori knows', () => {
    let n = 0;
    for (const e of DEFAULT_LOGSOURCES) {
      for (const d of e.datasets) assert.ok(DATASETS.includes(d), `${d} is a dataset`);
      for (const [k, v] of Object.entries(e.fields)) {
        assert.equal(k, k.toLowerCase(), 'keys are lower case');
        assert.ok(ECS_FIELDS.has(v), `${k} → ${v}`);
        n++;
      }
    }
    assert.ok(n > 40);
  });

  it('picks the entry whose category, product and service all equal the rule\'s', () => {
    const ds = (ls: object) => findLogsource(DEFAULT_LOGSOURCES, ls)?.datasets;
    assert.deepEqual(ds({ category: 'webserver' }), ['nginx.access', 'apache.access', 'mamori']);
    assert.deepEqual(ds({ category: 'Webserver', product: 'nginx' }), ['nginx.access']);
    assert.deepEqual(ds({ category: 'proxy' }), ['nginx.access', 'apache.access', 'mamori']);
    assert.deepEqual(ds({ product: 'linux', service: 'auth' }), ['sshd', 'pam']);
    assert.deepEqual(ds({ product: 'linux', service: 'sshd' }), ['sshd']);
    assert.deepEqual(ds({ product: 'linux' }), ['sshd', 'pam']);
    assert.deepEqual(ds({ category: 'application' }), ['json', 'logfmt']);
    assert.deepEqual(ds({ category: 'firewall' }), ['fortigate']);
    for (const no of [{ product: 'windows' }, { product: 'linux', category: 'process_creation' }, { product: 'linux', service: 'auditd' }, { category: 'application', product: 'django' }, {}]) {
      assert.equal(ds(no), undefined, JSON.stringify(no));
    }
  });

  it('maps the web taxonomy to ECS, accepts ECS names as they are, and refuses the rest', () => {
    const web = findLogsource(DEFAULT_LOGSOURCES, { category: 'webserver' })!;
    const table: [string, string | undefined][] = [
      ['cs-method', 'http.request.method'],
      ['cs-uri-stem', 'url.path'],
      ['cs-uri-query', 'url.query'],
      ['c-uri', 'url.original'],
      ['sc-status', 'http.response.status_code'],
      ['c-ip', 'source.ip'],
      ['src_ip', 'source.ip'],
      ['c-useragent', 'user_agent.original'],
      ['cs-referer', 'http.request.referrer'],
      ['cs-referrer', 'http.request.referrer'],
      ['cs-host', 'url.domain'],
      ['sc-bytes', 'http.response.body.bytes'],
      ['cs-bytes', 'http.request.bytes'],
      ['c-uri-extension', 'url.extension'],
      ['CS-Method', 'http.request.method'],
      ['source.ip', 'source.ip'],
      ['url.path', 'url.path'],
      ['cs-cookie', undefined],
      ['Image', undefined],
      ['Source.IP', undefined],
    ];
    for (const [f, want] of table) assert.equal(mapField(web, f), want, f);
    const linux = findLogsource(DEFAULT_LOGSOURCES, { product: 'linux', service: 'sshd' })!;
    assert.equal(mapField(linux, 'user_name'), 'user.name');
    assert.equal(mapField(linux, 'client_ip'), 'source.ip');
    assert.equal(mapField(linux, 'cs-method'), undefined);
  });

  it('works out url.extension from the path when the parser did not', () => {
    const v = (path: string) => new EventView(ev('nginx.access', { 'url.path': path })).get('url.extension');
    assert.equal(v('/a/b.PHP'), 'PHP');
    assert.equal(v('/a.b/c'), undefined);
    assert.equal(v('/a/b.'), undefined);
    assert.equal(new EventView(ev('nginx.access', { 'url.path': '/x.php', 'url.extension': 'given' })).get('url.extension'), 'given');
  });
});
