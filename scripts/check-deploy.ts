// `npm run lint:deploy`: static checks of the deployment files, no container engine needed.
//   - deploy/nginx/tenantry.conf.template, rendered as `npm run stack` renders it: `nginx -t`
//   - Dockerfile: `dockerfile-utils lint` finds nothing, and every base image has a version tag
//   - docker-compose.yml: accepted by docker-compose 1.29 (through compose-offline, which needs no
//     engine) or else by `docker compose config`; its images have version tags
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT } from '../test/support/root.ts';
import { nginxBinary } from '../test/support/stack/nginx.ts';
import { nativeMainConfig, renderProxyConfig } from '../test/support/stack/proxy-config.ts';
let failed = false;
const report = (ok: boolean, what: string, detail = '') => {
  if (!ok) failed = true;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `\n     ${detail.trim().replace(/\n/g, '\n     ')}` : ''}`,
  );
};
const run = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
  return {
    ok: r.status === 0,
    output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error?.message ?? ''}`,
  };
};

// The template as the native stack renders it (loopback replicas in an upstream group) and as
// compose does (a name resolved at request time, so nginx -t resolves nothing).
for (const [what, vars] of [
  ['native', { listen: '127.0.0.1:8080', upstreams: ['127.0.0.1:3001', '127.0.0.1:3002'] }],
  ['compose', { listen: '127.0.0.1:8080', app: 'app:3000', resolver: '127.0.0.11' }],
] as const) {
  const dir = mkdtempSync(join(tmpdir(), 'tenantry-nginx-t-'));
  try {
    const site = join(dir, 'tenantry.conf');
    writeFileSync(site, renderProxyConfig({ ...vars, accessLog: join(dir, 'access.log') }));
    writeFileSync(join(dir, 'nginx.conf'), nativeMainConfig(dir, site));
    const t = run(nginxBinary(), [
      '-t',
      '-q',
      '-p',
      dir,
      '-c',
      join(dir, 'nginx.conf'),
      '-e',
      'stderr',
    ]);
    report(t.ok, `nginx -t: deploy/nginx/tenantry.conf.template (${what})`, t.ok ? '' : t.output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const lint = run(join(ROOT, 'node_modules', '.bin', 'dockerfile-utils'), [
  'lint',
  '-j',
  'Dockerfile',
]);
const problems = lint.ok
  ? (JSON.parse(lint.output) as { instructionLine: number; message: string }[])
  : [];
report(
  lint.ok && problems.length === 0,
  'dockerfile-utils lint Dockerfile',
  lint.ok
    ? problems.map((p) => `line ${p.instructionLine + 1}: ${p.message}`).join('\n')
    : lint.output,
);

// A version in every image tag: no `latest`, no bare `node` (a digest pin is stricter still).
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const composeFile = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const stages = new Set([...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]!));
const images = [
  ...[...dockerfile.matchAll(/^FROM\s+(\S+)/gim)].map((m) => m[1]!).filter((f) => !stages.has(f)),
  ...[...composeFile.matchAll(/^\s+image:\s*(\S+)/gm)].map((m) => m[1]!),
];
const unpinned = images.filter((image) => !/:[^:]*\d/.test(image));
report(
  unpinned.length === 0 && images.length >= 3,
  `base images carry versions: ${images.join(', ')}`,
  unpinned.join(', '),
);

const beside = join(ROOT, '..', 'shared', 'tools', 'compose-offline');
const offline = process.env.COMPOSE_OFFLINE
  ? resolve(process.env.COMPOSE_OFFLINE)
  : run('sh', ['-c', 'command -v compose-offline']).ok
    ? 'compose-offline'
    : existsSync(beside)
      ? beside
      : undefined;
if (offline) {
  const c = run(offline, ['check', ROOT]);
  report(c.ok, 'compose-offline check: docker-compose.yml', c.ok ? '' : c.output);
} else if (run('docker', ['compose', 'version']).ok) {
  const c = run('docker', ['compose', 'config', '-q']);
  report(c.ok, 'docker compose config -q', c.ok ? '' : c.output);
} else {
  report(
    !process.env.CI,
    'compose file not validated: neither compose-offline nor docker compose is here',
  );
}

process.exit(failed ? 1 : 0);
