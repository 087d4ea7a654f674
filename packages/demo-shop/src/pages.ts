/** The shop's HTML pages: plain markup, every dynamic value escaped. */
import { GATEWAY_FEE_JPY, TEST_CARDS } from './gateway.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)} - Demo Shop</title></head>
<body>
<header><a href="/">Demo Shop</a></header>
<main>
${body}
</main>
</body>
</html>
`;
}

export function homePage(): string {
  const cards = TEST_CARDS.map((c) => `<li>${escapeHtml(c.brand)}: <code>${c.number}</code></li>`).join('\n');
  return layout(
    'Home',
    `<h1>Demo Shop</h1>
<p>A deliberately plain shop used to demonstrate mamori. Nothing here is real.</p>
<ul>
<li><a href="/login">Log in</a></li>
<li><a href="/account">My account</a></li>
<li><a href="/admin">Admin</a></li>
<li><a href="/api/gateway/stats">Payment gateway statistics</a></li>
<li><a href="/healthz">Health check</a></li>
</ul>
<h2>Checkout</h2>
<p><code>POST /api/checkout</code> with JSON <code>{"card":{"number","exp_month","exp_year","cvc"},"amount"}</code>.
The fake gateway approves only these test cards and charges ${GATEWAY_FEE_JPY} JPY per authorization:</p>
<ul>
${cards}
</ul>`,
  );
}

export function loginPage(message?: string): string {
  const notice = message ? `<p role="alert">${escapeHtml(message)}</p>\n` : '';
  return layout(
    'Log in',
    `<h1>Log in</h1>
${notice}<form method="post" action="/login">
<p><label>Email <input type="email" name="email" autocomplete="username" required></label></p>
<p><label>Password <input type="password" name="password" autocomplete="current-password" required></label></p>
<p><button type="submit">Log in</button></p>
</form>`,
  );
}

function logoutForm(): string {
  return `<form method="post" action="/logout"><button type="submit">Log out</button></form>`;
}

export function accountPage(email: string, role: string): string {
  return layout(
    'My account',
    `<h1>My account</h1>
<p>Signed in as <strong>${escapeHtml(email)}</strong> (${escapeHtml(role)}).</p>
${logoutForm()}`,
  );
}

export function adminPage(email: string): string {
  return layout(
    'Admin',
    `<h1>Admin</h1>
<p>Administrator area. Signed in as <strong>${escapeHtml(email)}</strong>.</p>
<p><a href="/api/gateway/stats">Payment gateway statistics</a></p>
${logoutForm()}`,
  );
}

export function errorPage(status: number, message: string): string {
  return layout(String(status), `<h1>${status}</h1>\n<p>${escapeHtml(message)}</p>`);
}
