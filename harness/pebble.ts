import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './free-port.ts';
import { commandWorks, launch, untilReady } from './launch.ts';

export interface PebbleOptions {
  /** Where pebble validates http-01 and tls-alpn-01 challenges: the proxy's HTTP and HTTPS ports. */
  httpPort: number;
  tlsPort: number;
  /** host:port of the DNS server pebble looks every name up in (harness/dns-server.ts). */
  dnsServer: string;
}

export interface Pebble {
  /** The ACME directory, for Caddy's acme_ca. */
  directory: string;
  /** The PEM file of pebble's own HTTPS certificate, for Caddy's acme_ca_root. */
  listenerRoot: string;
  /** The root that signs what pebble issues (new every run), as PEM. */
  issuingRoot(): Promise<string>;
  /** The names of every certificate pebble has issued so far, one list per certificate. */
  issued(): Promise<string[][]>;
  /** How many orders (requests for a certificate, issued or not) pebble has taken so far. */
  orders(): number;
  /** Every line pebble has printed. */
  output(): string[];
  stop(): Promise<void>;
}

export function missingPebble(): string[] {
  const missing: string[] = [];
  if (!commandWorks('pebble', ['-h']))
    missing.push('pebble (Debian/Ubuntu: apt-get install pebble)');
  if (!commandWorks('openssl', ['version'])) missing.push('openssl (apt-get install openssl)');
  return missing;
}

/**
 * Debian's pebble, a small ACME server for tests, on free loopback ports: issuing at once (no
 * random validation delay), never refusing a good nonce. It answers over HTTPS with a certificate
 * made here for 127.0.0.1.
 */
export async function startPebble(options: PebbleOptions): Promise<Pebble> {
  const dir = mkdtempSync(join(tmpdir(), 'tenantry-pebble-'));
  const cert = join(dir, 'listener.pem');
  const key = join(dir, 'listener.key');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=pebble listener'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    ],
    { stdio: 'ignore' },
  );
  const [port, managementPort] = await freePorts(2);
  const config = join(dir, 'pebble.json');
  writeFileSync(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${port}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: cert,
        privateKey: key,
        httpPort: options.httpPort,
        tlsPort: options.tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  );
  const lines: string[] = [];
  const proc = launch('pebble', 'pebble', ['-config', config, '-dnsserver', options.dnsServer], {
    env: { PATH: process.env.PATH, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
    log: (_name, line) => lines.push(line),
  });
  const ca = readFileSync(cert);
  const management = (path: string) => getText(`https://127.0.0.1:${managementPort}${path}`, ca);
  const stop = async () => {
    await proc.stop('SIGTERM', 5000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await untilReady(proc, () => getText(`https://127.0.0.1:${port}/dir`, ca));
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${lines.join('\n')}`, { cause: err });
  }
  return {
    directory: `https://127.0.0.1:${port}/dir`,
    listenerRoot: cert,
    issuingRoot: () => management('/roots/0'),
    issued: () => issuedNames(lines, management),
    orders: () => lines.filter((line) => line.includes('Added order')).length,
    output: () => [...lines],
    stop,
  };
}

/**
 * Pebble 2.4 has no listing of what it issued; it logs each serial ("Issued certificate serial …"),
 * and its management API answers each serial's certificate, whose names are read here.
 */
async function issuedNames(lines: string[], management: (path: string) => Promise<string>) {
  const serials = lines.flatMap((l) => /Issued certificate serial (\w+)/.exec(l)?.[1] ?? []);
  return Promise.all(
    serials.map(async (serial) => {
      const { Certificate } = JSON.parse(await management(`/cert-status-by-serial/${serial}`)) as {
        Certificate: string;
      };
      const { X509Certificate } = await import('node:crypto');
      const san = new X509Certificate(Certificate).subjectAltName ?? '';
      return san.split(', ').map((entry) => entry.replace(/^DNS:/, ''));
    }),
  );
}

function getText(url: string, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { ca, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`)),
      );
    }).on('error', reject);
  });
}
