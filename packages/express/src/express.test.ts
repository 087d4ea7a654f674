import type { AddressInfo } from 'node:net';
import express from 'express';
import { ADAPTER_APP, runAdapterConformance } from 'mamori/testing';
import type { Guard } from 'mamori';
import { mamoriExpress } from './index.js';

async function start(guard: Guard) {
  const app = express();
  app.use(express.urlencoded({ extended: false }), express.json());
  app.use(mamoriExpress(guard));
  app.get('/', (_req, res) => {
    res.type('text/plain').send(ADAPTER_APP.home);
  });
  app.get('/admin', (_req, res) => {
    res.type('text/plain').send(ADAPTER_APP.admin);
  });
  app.post('/login', (req, res) => {
    const body = (req.body ?? {}) as { email?: unknown; password?: unknown };
    if (body.email === ADAPTER_APP.user && body.password === ADAPTER_APP.password) {
      res.append('set-cookie', ADAPTER_APP.sessionCookie);
      res.redirect(302, ADAPTER_APP.successLocation);
      return;
    }
    res.status(401).type('text/plain').send('wrong email or password');
  });
  // Quiet error handler: the body parsers' 400s are expected in the suite.
  app.use((err: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(err.status ?? 500).type('text/plain').send('error');
  });
  const server = await new Promise<import('node:http').Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

runAdapterConformance('express', start);
