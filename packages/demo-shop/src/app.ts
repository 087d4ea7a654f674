/** The request handler: routing and the handlers for each page and API. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ShopDb } from './db.js';
import type { FakeGateway } from './gateway.js';
import { readCheckoutRequest } from './checkout.js';
import {
  HttpError,
  decodeUtf8,
  getCookie,
  mediaType,
  parseJson,
  readBody,
  redirect,
  sendHtml,
  sendJson,
  sendText,
} from './http-io.js';
import { accountPage, adminPage, errorPage, homePage, loginPage } from './pages.js';
import { SESSION_COOKIE, clearedSessionCookie, createSession, endSession, lookupSession, sessionCookie } from './sessions.js';
import { authenticate } from './users.js';

export interface AppContext {
  db: ShopDb;
  gateway: FakeGateway;
  clock: { now(): number };
}

type Handler = (req: IncomingMessage, res: ServerResponse, ctx: AppContext) => Promise<void> | void;

const INVALID_LOGIN = 'Invalid email or password';

interface Credentials {
  email: string;
  password: string;
}

async function readCredentials(req: IncomingMessage): Promise<Credentials> {
  const type = mediaType(req);
  if (type === 'application/json') {
    const body = parseJson(await readBody(req));
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'body must be a JSON object');
    const { email, password } = body as Record<string, unknown>;
    if (typeof email !== 'string' || typeof password !== 'string') throw new HttpError(400, 'email and password are required');
    return { email, password };
  }
  if (type === 'application/x-www-form-urlencoded' || type === '') {
    const form = new URLSearchParams(decodeUtf8(await readBody(req)));
    const email = form.get('email');
    const password = form.get('password');
    if (email === null || password === null) throw new HttpError(400, 'email and password are required');
    return { email, password };
  }
  throw new HttpError(415, 'send application/x-www-form-urlencoded or application/json');
}

const postLogin: Handler = async (req, res, ctx) => {
  const { email, password } = await readCredentials(req);
  const user = await authenticate(ctx.db, email, password);
  if (!user) {
    sendHtml(res, 401, loginPage(INVALID_LOGIN));
    return;
  }
  // A fresh id on every login, and any previous session in this browser ends.
  endSession(ctx.db, getCookie(req, SESSION_COOKIE));
  const id = createSession(ctx.db, user.id, ctx.clock.now());
  redirect(res, '/account', { 'Set-Cookie': sessionCookie(id) });
};

const postLogout: Handler = (req, res, ctx) => {
  endSession(ctx.db, getCookie(req, SESSION_COOKIE));
  redirect(res, '/', { 'Set-Cookie': clearedSessionCookie() });
};

function currentUser(req: IncomingMessage, ctx: AppContext) {
  return lookupSession(ctx.db, getCookie(req, SESSION_COOKIE), ctx.clock.now());
}

const getAccount: Handler = (req, res, ctx) => {
  const user = currentUser(req, ctx);
  if (!user) return redirect(res, '/login');
  sendHtml(res, 200, accountPage(user.email, user.role));
};

const getAdmin: Handler = (req, res, ctx) => {
  const user = currentUser(req, ctx);
  if (!user) return redirect(res, '/login');
  if (user.role !== 'admin') return sendHtml(res, 403, errorPage(403, 'Administrators only.'));
  sendHtml(res, 200, adminPage(user.email));
};

const postCheckout: Handler = async (req, res, ctx) => {
  const checkout = readCheckoutRequest(req.headers['content-type'], await readBody(req));
  // mamori in front asks for 3-D Secure with this header (it removes any copy a client sends).
  const threeDS = req.headers['x-mamori-step-up'] === '3ds';
  const result = ctx.gateway.authorize(checkout.card, checkout.amount, { threeDS });
  sendJson(res, result.status === 'approved' ? 200 : 402, result);
};

/** Routes by path, then method. HEAD is answered wherever GET is. */
const ROUTES: ReadonlyMap<string, Readonly<Record<string, Handler>>> = new Map<string, Record<string, Handler>>([
  ['/', { GET: (_q, res) => sendHtml(res, 200, homePage()) }],
  ['/login', { GET: (_q, res) => sendHtml(res, 200, loginPage()), POST: postLogin }],
  ['/logout', { POST: postLogout }],
  ['/account', { GET: getAccount }],
  ['/admin', { GET: getAdmin }],
  ['/api/checkout', { POST: postCheckout }],
  ['/api/gateway/stats', { GET: (_q, res, ctx) => sendJson(res, 200, ctx.gateway.stats()) }],
  ['/healthz', { GET: (_q, res) => sendText(res, 200, 'ok') }],
]);

function isApi(path: string): boolean {
  return path.startsWith('/api/');
}

function sendError(res: ServerResponse, path: string, status: number, message: string, headers: Record<string, string> = {}): void {
  if (isApi(path)) sendJson(res, status, { status: 'error', error: message }, headers);
  else sendHtml(res, status, errorPage(status, message), headers);
}

export function createHandler(ctx: AppContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const route = ROUTES.get(path);
    if (!route) return sendError(res, path, 404, 'Not found.');
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const handler = Object.hasOwn(route, method) ? route[method] : undefined;
    if (!handler) {
      const allow = Object.keys(route).flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m]));
      return sendError(res, path, 405, 'Method not allowed.', { Allow: allow.join(', ') });
    }
    Promise.resolve()
      .then(() => handler(req, res, ctx))
      .catch((err: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (err instanceof HttpError) {
          // A body left unread (refused, too large) means the connection cannot be reused.
          sendError(res, path, err.status, err.message, req.complete ? {} : { Connection: 'close' });
          return;
        }
        sendError(res, path, 500, 'Internal error.', { Connection: 'close' });
      });
  };
}
