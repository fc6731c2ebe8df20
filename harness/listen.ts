import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { createAppServer } from '../src/web/fast-paths.ts';

/** Listens on a free loopback port with the server server.ts makes (Node's default header limits). */
export async function listen(app: Express): Promise<{ server: Server; port: number }> {
  const server = createAppServer(app);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, port: (server.address() as AddressInfo).port });
    });
  });
}

/** Closes it now, keep-alive connections included, rather than waiting for them to idle out. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
