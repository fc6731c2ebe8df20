import { connect, type PeerCertificate } from 'node:tls';
import { startDnsServer, type DnsServer } from './dns-server.ts';
import { freePorts } from './free-port.ts';
import { missingPebble, startPebble, type Pebble } from './pebble.ts';
import { missingChromium } from './prerequisites.ts';
import {
  startStack,
  missingStackCommands,
  type Stack,
  type StackOptions,
} from './stack/start-stack.ts';
import { missingCertutil } from './trusting-chromium.ts';

/** What the edge tests need and do not have, each with how to install it. */
export function missingForEdgeTest(): string[] {
  return [
    ...missingStackCommands(),
    ...missingPebble(),
    ...missingChromium(),
    ...missingCertutil(),
  ];
}

export interface EdgeStack {
  stack: Stack;
  pebble: Pebble;
  dns: DnsServer;
  /** Stops Caddy, the replicas, Redis, pebble and the DNS server. */
  stop(): Promise<void>;
}

/**
 * The native stack (Caddy with the project's Caddyfile, the app's replicas, Redis) with Caddy's
 * ACME CA a pebble on loopback, which validates against Caddy's own ports and looks names up in
 * a DNS server of the test's: `hosts` (and `*.<name>`) answer 127.0.0.1 there.
 */
export async function startEdgeStack(
  options: StackOptions & { hosts: string[] },
): Promise<EdgeStack> {
  const [proxyPort, tlsPort] = (await freePorts(2)) as [number, number];
  const dns = await startDnsServer(options.hosts);
  let pebble: Pebble | undefined;
  try {
    pebble = await startPebble({ httpPort: proxyPort, tlsPort, dnsServer: dns.address });
    const acme = { directory: pebble.directory, root: pebble.listenerRoot };
    // DNS_SERVERS: where the app looks up domains' TXT records (the same server pebble asks).
    const appEnv = { DNS_SERVERS: dns.address, ...options.appEnv };
    const stack = await startStack({ ...options, proxyPort, tlsPort, acme, appEnv });
    const started = pebble;
    return {
      stack,
      pebble,
      dns,
      async stop() {
        await stack.stop();
        await started.stop();
        await dns.stop();
      },
    };
  } catch (err) {
    await pebble?.stop();
    await dns.stop();
    throw err;
  }
}

export type Handshake = { ok: true; cert: PeerCertificate } | { ok: false; error: string };

/**
 * A TLS handshake with `servername` (SNI) at 127.0.0.1:`port`, trusting `ca`: the certificate,
 * or why there was none. Never rejects.
 */
export function handshake(port: number, servername: string, ca?: string): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca, timeout: 30_000 });
    const done = (result: Handshake) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('secureConnect', () => done({ ok: true, cert: socket.getPeerCertificate() }));
    socket.once('error', (err) => done({ ok: false, error: err.message }));
    socket.once('timeout', () => done({ ok: false, error: 'timed out' }));
  });
}
