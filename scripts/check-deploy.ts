// `npm run lint:deploy`: static checks of the deployment files, no container engine needed.
//   - deploy/nginx/tenantry.conf.template, rendered as `npm run stack` renders it: `nginx -t`
//   - Dockerfile: `dockerfile-utils lint` finds nothing, and every base image has a version tag
//   - docker-compose.yml and each override in deploy/compose/: accepted by `$COMPOSE_CMD config`
//     (default `docker compose`; no engine needed); their images have version tags
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
/** The compose override files (`docker compose -f docker-compose.yml -f <one of these> up`). */
const OVERRIDES = readdirSync(join(ROOT, 'deploy', 'compose'))
  .filter((name) => name.endsWith('.yml'))
  .map((name) => `deploy/compose/${name}`);
const composeFile = ['docker-compose.yml', ...OVERRIDES]
  .map((file) => readFileSync(join(ROOT, file), 'utf8'))
  .join('\n');
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

// The compose command as `npm run test:compose` takes it: COMPOSE_CMD, else `docker compose`.
// `config -q` needs no engine; each override file is checked on top of the base file.
const [composeBin, ...composeArgs] = (process.env.COMPOSE_CMD ?? 'docker compose').split(/\s+/);
if (run(composeBin!, [...composeArgs, 'version']).ok) {
  for (const override of ['', ...OVERRIDES]) {
    const files = ['-f', 'docker-compose.yml', ...(override ? ['-f', override] : [])];
    const c = run(composeBin!, [...composeArgs, ...files, 'config', '-q']);
    const what = `${[composeBin, ...composeArgs].join(' ')} ${files.join(' ')} config -q`;
    report(c.ok, what, c.ok ? '' : c.output);
  }
} else {
  report(
    !process.env.CI,
    `compose files not validated: no ${[composeBin, ...composeArgs].join(' ')} here (set COMPOSE_CMD)`,
  );
}

process.exit(failed ? 1 : 0);
