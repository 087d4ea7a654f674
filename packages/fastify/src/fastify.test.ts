import { parse as parseForm } from 'node:querystring';
import Fastify from 'fastify';
import { ADAPTER_APP, runAdapterConformance } from 'mamori/testing';
import type { Guard } from 'mamori';
import { mamoriFastify } from './index.js';

async function start(guard: Guard) {
  const app = Fastify({ logger: false });
  // What @fastify/formbody does: repeated fields become arrays.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, parseForm(body as string));
  });
  await app.register(mamoriFastify, { guard });
  app.get('/', async (_req, reply) => reply.type('text/plain').send(ADAPTER_APP.home));
  app.get('/admin', async (_req, reply) => reply.type('text/plain').send(ADAPTER_APP.admin));
  app.post('/login', async (req, reply) => {
    const body = (req.body ?? {}) as { email?: unknown; password?: unknown };
    if (body.email === ADAPTER_APP.user && body.password === ADAPTER_APP.password) {
      return reply.header('set-cookie', ADAPTER_APP.sessionCookie).redirect(ADAPTER_APP.successLocation, 302);
    }
    return reply.code(401).type('text/plain').send('wrong email or password');
  });
  app.post('/api/checkout', async (req, reply) => {
    const number = (req.body as { card?: { number?: unknown } } | undefined)?.card?.number;
    const stepUp = req.headers['x-mamori-step-up'];
    return reply
      .header('x-app-step-up', typeof stepUp === 'string' ? stepUp : 'none')
      .code(number === ADAPTER_APP.approvedCard ? 200 : 402)
      .send({ status: number === ADAPTER_APP.approvedCard ? 'approved' : 'declined' });
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
}

runAdapterConformance('fastify', start);
