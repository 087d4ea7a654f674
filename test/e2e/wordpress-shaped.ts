/**
 * An upstream shaped like WordPress on nginx + php-fpm, for the preset's tests: it routes and
 * reads requests the way that stack does, with parsing of its own (not mamori's), and records
 * every password it checks.
 * - nginx: the path is percent-decoded and its slashes merged before routing; a `.php` script
 *   runs for every path below it (`fastcgi_split_path_info ^(.+\.php)(/.+)$`).
 * - PHP: $_GET from the query, $_POST from a urlencoded body, $_REQUEST = GET then POST
 *   (request_order "GP"); HTTP Basic into PHP_AUTH_USER/PW.
 * - wp-login.php: `action` from $_REQUEST (login by default; lostpassword sends a mail);
 *   xmlrpc.php: the raw body as XML-RPC whatever its type, wp.getUsersBlogs and system.multicall;
 *   the REST API at /wp-json/ or ?rest_route=, with application passwords over Basic.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PasswordCheck {
  route: 'wp-login' | 'xmlrpc' | 'rest';
  user: string;
  ok: boolean;
}

export interface WordPressShaped {
  url: string;
  checks: PasswordCheck[];
  mails: string[];
  close(): Promise<void>;
}

const USERS: Record<string, { password: string; appPassword: string }> = {
  admin: { password: 'correct horse battery', appPassword: 'AAAA BBBB CCCC DDDD' },
};

function check(checks: PasswordCheck[], route: PasswordCheck['route'], user: string, password: string, app = false): boolean {
  const u = USERS[user.trim().toLowerCase()];
  const ok = u !== undefined && (app ? u.appPassword : u.password) === password;
  checks.push({ route, user, ok });
  return ok;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const fault = (code: number, message: string) =>
  `<value><struct><member><name>faultCode</name><value><int>${code}</int></value></member><member><name>faultString</name><value><string>${xmlEscape(message)}</string></value></member></struct></value>`;
const blogs = '<value><array><data><value><struct><member><name>blogName</name><value><string>Test</string></value></member></struct></value></data></array></value>';

/** This upstream's own reading of XML-RPC strings: `<string>x</string>` or untyped `<value>x</value>`, entities decoded. */
function strings(xml: string): string[] {
  const out: string[] = [];
  for (const m of xml.matchAll(/<value>(?:<string>([^<]*)<\/string>|([^<]*))<\/value>/g)) {
    out.push((m[1] ?? m[2] ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
  }
  return out;
}

function xmlrpc(body: string, checks: PasswordCheck[]): string {
  const method = /<methodName>\s*([^<]*?)\s*<\/methodName>/.exec(body)?.[1] ?? '';
  const one = (name: string, params: string[]): string => {
    if (name !== 'wp.getUsersBlogs') return fault(-32601, 'server error. requested method does not exist.');
    return check(checks, 'xmlrpc', params[0] ?? '', params[1] ?? '') ? blogs : fault(403, 'Incorrect username or password.');
  };
  let result: string;
  if (method === 'system.multicall') {
    const calls = body.split('<struct>').slice(1);
    const results = calls.map((c) => {
      const name = /<name>methodName<\/name>\s*<value>(?:<string>)?([^<]*)/.exec(c)?.[1] ?? '';
      const params = strings(c.slice(c.indexOf('<name>params</name>')));
      const r = one(name, params);
      return r.includes('faultCode') ? r : `<value><array><data>${r}</data></array></value>`;
    });
    result = `<params><param><value><array><data>${results.join('')}</data></array></value></param></params>`;
  } else {
    const r = one(method, strings(body.slice(body.indexOf('<params>'))));
    result = r.includes('faultCode') ? `<fault>${r}</fault>` : `<params><param>${r}</param></params>`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<methodResponse>${result}</methodResponse>\n`;
}

export async function startWordPressShaped(): Promise<WordPressShaped> {
  const checks: PasswordCheck[] = [];
  const mails: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const target = req.url ?? '/';
      const q = target.indexOf('?');
      // nginx: decoded, slashes merged.
      let path = decodeURIComponent(q < 0 ? target : target.slice(0, q)).replace(/\/{2,}/g, '/');
      const get = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
      const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const post = new URLSearchParams(ct === 'application/x-www-form-urlencoded' ? raw : '');
      const request = new Map<string, string>([...get, ...post]);
      const script = /^(.+?\.php)(\/.*)?$/.exec(path)?.[1];
      if (script === undefined && (path === '/' || path.startsWith('/wp-json'))) path = '/index.php';
      const send = (status: number, type: string, body: string, headers: Record<string, string | string[]> = {}) => {
        res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...headers });
        res.end(body);
      };
      switch (script ?? path) {
        case '/wp-login.php': {
          const action = request.get('action') ?? 'login';
          if (req.method === 'POST' && action === 'lostpassword') {
            mails.push(post.get('user_login') ?? '');
            return send(302, 'text/html', '', { location: '/wp-login.php?checkemail=confirm' });
          }
          if (req.method === 'POST' && action === 'login' && post.has('log')) {
            if (check(checks, 'wp-login', post.get('log')!, post.get('pwd') ?? '')) {
              return send(302, 'text/html', '', { location: '/wp-admin/', 'set-cookie': ['wordpress_test_cookie=WP; path=/', `wordpress_logged_in_abc=${post.get('log')}%7C1; path=/; HttpOnly`] });
            }
            return send(200, 'text/html; charset=UTF-8', '<div id="login_error"><strong>Error:</strong> The password you entered is incorrect.</div><form></form>');
          }
          return send(200, 'text/html; charset=UTF-8', '<form id="loginform"></form>');
        }
        case '/xmlrpc.php':
          if (req.method !== 'POST') return send(405, 'text/plain', 'XML-RPC server accepts POST requests only.');
          return send(200, 'text/xml; charset=UTF-8', xmlrpc(raw, checks));
        case '/index.php': {
          if (!path.startsWith('/wp-json') && !get.has('rest_route') && path !== '/index.php') break;
          const auth = req.headers.authorization;
          if (auth?.toLowerCase().startsWith('basic ')) {
            const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
            const colon = decoded.indexOf(':');
            // The REST API marks its answers; it sends no-cache headers only to a logged-in client;
            // `_envelope` answers 200 whatever happened.
            const rest = { 'access-control-expose-headers': 'X-WP-Total, X-WP-TotalPages, Link' };
            if (!check(checks, 'rest', decoded.slice(0, colon), decoded.slice(colon + 1), true)) {
              if (get.has('_envelope')) return send(200, 'application/json', '{"status":401,"body":{"code":"incorrect_password"}}', rest);
              return send(401, 'application/json', '{"code":"incorrect_password","data":{"status":401}}', rest);
            }
            return send(200, 'application/json', '{"id":1,"name":"admin"}', { ...rest, expires: 'Wed, 11 Jan 1984 05:00:00 GMT', 'cache-control': 'no-cache, must-revalidate, max-age=0' });
          }
          return send(200, 'application/json', '{"name":"Test"}', { 'access-control-expose-headers': 'X-WP-Total, X-WP-TotalPages, Link' });
        }
        default:
          break;
      }
      send(404, 'text/html', 'not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    checks,
    mails,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
