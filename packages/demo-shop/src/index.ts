/**
 * @mamori/demo-shop: a deliberately plain web shop (node:http + SQLite) that
 * mamori is demonstrated in front of. It does not use mamori itself.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHandler } from './app.js';
import { openShopDb } from './db.js';
import { createFakeGateway, type GatewayStats } from './gateway.js';
import { seedDemoUsers } from './users.js';

export { DEMO_USERS, type DemoUser } from './users.js';
export { TEST_CARDS, GATEWAY_FEE_JPY, type TestCard, type GatewayStats } from './gateway.js';
export { MAX_BODY_BYTES } from './http-io.js';
export { readCheckoutRequest, type CheckoutRequest } from './checkout.js';
export { SESSION_COOKIE, SESSION_TTL_MS } from './sessions.js';

export interface DemoShopOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** SQLite file; default ':memory:'. A file keeps users and sessions across restarts. */
  dbPath?: string;
  /** Time source for session expiry; default the system clock. */
  clock?: { now(): number };
}

export interface DemoShop {
  url: string;
  port: number;
  close(): Promise<void>;
  gatewayStats(): GatewayStats;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

export async function startDemoShop(opts: DemoShopOptions = {}): Promise<DemoShop> {
  const host = opts.host ?? '127.0.0.1';
  const clock = opts.clock ?? { now: () => Date.now() };
  const db = openShopDb(opts.dbPath ?? ':memory:');
  const gateway = createFakeGateway();
  let server: Server | undefined;
  try {
    await seedDemoUsers(db, clock.now());
    server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, createHandler({ db, gateway, clock }));
    const sockets = new Set<Socket>();
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    const addr = await listen(server, opts.port ?? 0, host);
    const hostPart = addr.family === 'IPv6' || host.includes(':') ? `[${addr.address}]` : addr.address;
    const srv = server;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${hostPart}:${addr.port}`,
      port: addr.port,
      gatewayStats: () => gateway.stats(),
      close() {
        closing ??= new Promise<void>((resolve, reject) => {
          srv.close((err) => {
            db.close();
            if (err) reject(err);
            else resolve();
          });
          srv.closeAllConnections();
          for (const s of sockets) s.destroy();
        });
        return closing;
      },
    };
  } catch (err) {
    server?.close();
    db.close();
    throw err;
  }
}
