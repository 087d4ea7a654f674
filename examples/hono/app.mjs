// A Hono app on Node behind mamori, as the @mamori/hono README sets it up.
//   MAMORI_SECRET=$(openssl rand -hex 32) node examples/hono/app.mjs
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { loadMamori } from 'mamori';
import { mamoriHono } from '@mamori/hono';

const config = process.env.MAMORI_CONFIG ?? new URL('../mamori.yaml', import.meta.url).pathname;
const { guard, close } = await loadMamori(config);
const app = new Hono();
app.use(mamoriHono(guard));
app.post('/login', async (c) => {
  const body = await c.req.parseBody();
  if (body.email === 'alice@example.com' && body.password === 'alice-password') return c.redirect('/account', 302);
  return c.text('wrong e-mail or password', 401);
});
app.get('/account', (c) => c.text('your account'));
const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' }, (info) => console.log(`listening on http://127.0.0.1:${info.port}`));
process.on('SIGTERM', () => server.close(() => void close()));
