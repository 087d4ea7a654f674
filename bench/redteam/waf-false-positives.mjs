// Benign requests at CRS PL1 (blocking): which rules match, and the anomaly score.
// node bench/redteam/waf-false-positives.mjs
import { run, form, req } from './waf-lib.mjs';
const enc = encodeURIComponent;
const wpContent = `<!-- wp:paragraph -->
<p>To check a user's input in PHP, don't trust <code>$_GET</code>; use a prepared statement:</p>
<!-- /wp:paragraph -->
<!-- wp:code -->
<pre class="wp-block-code"><code>$stmt = $pdo-&gt;prepare('SELECT * FROM users WHERE id = ? OR email = ?');
$stmt-&gt;execute([$id, $email]);
// shell: cat /etc/hosts | grep localhost
echo "&lt;script src=\\"app.js\\"&gt;&lt;/script&gt;";</code></pre>
<!-- /wp:code -->
<!-- wp:paragraph -->
<p>Then run <code>npm install &amp;&amp; npm test</code> and open <a href="https://example.com/docs?a=1&amp;b=2">the docs</a>.</p>
<!-- /wp:paragraph -->`;
const cases = {
  'WordPress post save (form)': form(['_wpnonce=5f1c2d3e4a', '_wp_http_referer=' + enc('/wp-admin/post.php?post=42&action=edit'), 'post_ID=42', 'post_title=' + enc("Prepared statements: don't concatenate SQL"), 'content=' + enc(wpContent), 'action=editpost', 'post_status=publish'].join('&'), { Referer: 'https://example.com/wp-admin/post.php?post=42&action=edit', Cookie: 'wordpress_logged_in_abc=admin%7C1700000000%7Cxyz; wp-settings-1=editor%3Dtinymce' }),
  'WordPress post save (REST JSON)': req({ path: '/wp-json/wp/v2/posts/42', headers: { 'Content-Type': 'application/json', 'X-WP-Nonce': '5f1c2d3e4a' }, body: JSON.stringify({ title: "Prepared statements: don't concatenate SQL", content: wpContent, status: 'publish' }) }),
  'JSON API call': req({ path: '/api/v1/orders', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sig' }, body: JSON.stringify({ customer: { name: "Dana O'Brien", email: 'dana@example.com' }, items: [{ sku: 'A-1', qty: 2 }], note: 'Leave at the door; ring twice. Select "express" if possible.', coupon: null }) }),
  'login, password with quotes': form('log=dana&pwd=' + enc(`p@ss'w"rd--1=1`) + '&rememberme=forever&wp-submit=Log+In&redirect_to=' + enc('https://example.com/wp-admin/') + '&testcookie=1'),
  'login, password " or ""="': form('username=dana&password=' + enc(`a" or ""="`)),
};
for (const [name, raw] of Object.entries(cases)) {
  const r = run(raw);
  const hits = r.matched.filter((m) => m.logged && m.id < 949000).map((m) => `${m.id} ${m.matchedName}`);
  const score = r.tx.vars.get('TX')?.entries.find((e) => e.key === 'blocking_inbound_anomaly_score')?.value;
  console.log(`${name}: status ${r.status}, score ${score}, cpu ${r.cpuMs.toFixed(0)} ms`);
  for (const h of hits) console.log('   ', h);
}
