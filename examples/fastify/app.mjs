// A Fastify app behind mamori, as the @mamori/fastify README sets it up.
//   MAMORI_SECRET=$(openssl rand -hex 32) node examples/fastify/app.mjs
import Fastify from 'fastify';
import { loadMamori } from 'mamori';
import { mamoriFastify } from '@mamori/fastify';

const config = process.env.MAMORI_CONFIG ?? new URL('../mamori.yaml', import.meta.url).pathname;
const { guard, close } = await loadMamori(config);
const app = Fastify();
// A form parser that keeps repeated fields as arrays (mamori refuses a login that names an account twice).
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
  const fields = {};
  for (const [k, v] of new URLSearchParams(body)) fields[k] = k in fields ? [].concat(fields[k], v) : v;
  done(null, fields);
});
await app.register(mamoriFastify, { guard });
app.post('/login', async (req, reply) => {
  if (req.body?.email === 'alice@example.com' && req.body?.password === 'alice-password') return reply.redirect('/account', 302);
  return reply.code(401).send('wrong e-mail or password');
});
app.get('/account', async () => 'your account');
const url = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
console.log(`listening on ${url}`);
process.on('SIGTERM', () => void app.close().then(close));
