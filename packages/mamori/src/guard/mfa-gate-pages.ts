/**
 * The MFA gate's pages for passkeys: confirming a sign-in with one, registering one, and the list
 * of a signed-in user's passkeys. Each page that talks to the authenticator carries the small
 * script below inline, allowed by a nonce drawn for that answer (the CSP allows no other script).
 * The options travel in the form's data attribute and the response goes back as a form field:
 * the page makes no request of its own.
 */
import { randomBytes } from 'node:crypto';
import type { RenderedResponse } from './verdict.js';

export const SIGNIN_PATH = '/.mamori/signin';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
export const HTML = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-frame-options': 'DENY', 'content-security-policy': CSP };
const STYLE = '<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.4rem;font-size:1rem;box-sizing:border-box}button{margin-top:1rem;padding:.5rem 1rem;font-size:1rem}.e{color:#a00}table{border-collapse:collapse;width:100%}td{padding:.2rem .4rem 0 0;vertical-align:top}</style>';

export function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The browser side, written for this gate (ES2017, no library): decodes the base64url fields of
 * the options, calls navigator.credentials, encodes the answer's buffers and posts the form.
 */
const SCRIPT = `(function(){
var f=document.getElementById('wa');if(!f)return;
var b=document.getElementById('wa-go'),m=document.getElementById('wa-msg');
function dec(s){s=s.replace(/-/g,'+').replace(/_/g,'/');while(s.length%4)s+='=';var r=atob(s),u=new Uint8Array(r.length);for(var i=0;i<r.length;i++)u[i]=r.charCodeAt(i);return u.buffer;}
function enc(x){var u=new Uint8Array(x),s='';for(var i=0;i<u.length;i++)s+=String.fromCharCode(u[i]);return btoa(s).replace(/\\+/g,'-').replace(/\\//g,'_').replace(/=+$/,'');}
b.addEventListener('click',function(){
if(!window.PublicKeyCredential||!navigator.credentials){m.textContent='This browser cannot use passkeys here.';return;}
var o=JSON.parse(f.getAttribute('data-options')),make=f.getAttribute('data-mode')==='create';
o.challenge=dec(o.challenge);
(make?(o.excludeCredentials||[]):(o.allowCredentials||[])).forEach(function(c){c.id=dec(c.id);});
if(make)o.user.id=dec(o.user.id);
b.disabled=true;m.textContent='';
(make?navigator.credentials.create({publicKey:o}):navigator.credentials.get({publicKey:o})).then(function(c){
var r=c.response,out={id:c.id,rawId:enc(c.rawId),type:c.type,clientExtensionResults:{},response:{clientDataJSON:enc(r.clientDataJSON)}};
if(make){out.response.attestationObject=enc(r.attestationObject);if(r.getTransports)out.response.transports=r.getTransports();}
else{out.response.authenticatorData=enc(r.authenticatorData);out.response.signature=enc(r.signature);if(r.userHandle)out.response.userHandle=enc(r.userHandle);}
f.elements.namedItem('response').value=JSON.stringify(out);f.submit();
},function(e){b.disabled=false;m.textContent='The passkey did not answer ('+((e&&e.name)||'error')+'): try again.';});
});
})();`;

function withScript(title: string, inner: string, status: number): RenderedResponse {
  const nonce = randomBytes(16).toString('base64');
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(title)}</title>${STYLE}</head>
<body>${inner}<p class="e" id="wa-msg" role="status"></p><script nonce="${nonce}">${SCRIPT}</script></body></html>`;
  return { status, headers: { ...HTML, 'content-security-policy': `${CSP}; script-src 'nonce-${nonce}'` }, body };
}

function passkeyForm(mode: 'get' | 'create', step: string, options: unknown, hidden: Record<string, string>, extra: string, button: string): string {
  const fields = Object.entries(hidden)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  return `<form method="post" action="${SIGNIN_PATH}" id="wa" data-mode="${mode}" data-options="${esc(JSON.stringify(options))}"><input type="hidden" name="step" value="${esc(step)}">${fields}<input type="hidden" name="response" value="">${extra}<button type="button" id="wa-go">${esc(button)}</button></form>`;
}

function head(issuer: string, message: string | undefined): string {
  return `<h1>${esc(issuer)}</h1>${message ? `<p class="e">${esc(message)}</p>` : ''}`;
}

/** After the password: confirm with one of the user's passkeys. */
export function passkeyPage(p: { issuer: string; user: string; next: string; options: unknown; message?: string | undefined; status?: number }): RenderedResponse {
  const inner = `${head(p.issuer, p.message)}<p>Signed in as ${esc(p.user)} with the password: now confirm with your passkey.</p>
${passkeyForm('get', 'passkey', p.options, { next: p.next }, '', 'Use a passkey')}
<p><a href="${SIGNIN_PATH}?next=${esc(encodeURIComponent(p.next))}">No passkey at hand? Sign in with a code or a recovery code.</a></p>`;
  return withScript(`Sign in: ${p.issuer}`, inner, p.status ?? 200);
}

/** After the password, for a user of passkeys only who has none yet: register the first one. */
export function enrolPage(p: { issuer: string; user: string; next: string; options: unknown; message?: string | undefined; status?: number }): RenderedResponse {
  const inner = `${head(p.issuer, p.message)}<p>Signed in as ${esc(p.user)} with the password. This account signs in with a passkey: register one now (a phone, a security key, or this computer's).</p>
${passkeyForm('create', 'register', p.options, { next: p.next }, '<label for="n">A name for it</label><input id="n" name="name" maxlength="64" placeholder="laptop">', 'Register a passkey')}`;
  return withScript(`Register a passkey: ${p.issuer}`, inner, p.status ?? 200);
}

export interface ListedPasskey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt?: string | undefined;
}

/**
 * A signed-in user's passkeys, with a form to register another (only when the sign-in is
 * recent: `options` undefined otherwise) and one to sign out.
 */
export function managePage(p: { issuer: string; user: string; passkeys: readonly ListedPasskey[]; options: unknown; message?: string | undefined; status?: number }): RenderedResponse {
  const rows = p.passkeys.map((k) => `<tr><td>${esc(k.name)}</td><td>${esc(k.createdAt.slice(0, 10))}</td><td>${esc(k.lastUsedAt ? k.lastUsedAt.slice(0, 10) : 'never used')}</td></tr>`).join('');
  const list = p.passkeys.length ? `<table>${rows}</table>` : '<p>No passkeys yet.</p>';
  const add =
    p.options === undefined
      ? `<p>To register another passkey, <a href="${SIGNIN_PATH}?next=${esc(encodeURIComponent(`${SIGNIN_PATH}?passkeys`))}">sign in again</a> (a sign-in of the last few minutes is needed).</p>`
      : passkeyForm('create', 'register', p.options, {}, '<label for="n">A name for the new one</label><input id="n" name="name" maxlength="64" placeholder="phone">', 'Register a passkey');
  const inner = `${head(p.issuer, p.message)}<p>Signed in as ${esc(p.user)}. Your passkeys:</p>${list}${add}
<form method="post" action="${SIGNIN_PATH}"><input type="hidden" name="step" value="signout"><button type="submit" id="signout">Sign out</button></form>`;
  return withScript(`Passkeys: ${p.issuer}`, inner, p.status ?? 200);
}
