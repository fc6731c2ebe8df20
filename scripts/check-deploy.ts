// `npm run lint:deploy`: static checks of the deployment files, no container engine needed.
//   - deploy/caddy/Caddyfile, as compose and as `npm run stack` run it: `caddy validate`, `caddy fmt`
//   - Dockerfile: `dockerfile-utils lint` finds nothing, and every base image has a version tag
//   - docker-compose.yml and each override in deploy/compose/: accepted by `$COMPOSE_CMD config`
//     (default `docker compose`; no engine needed); their images have version tags
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../harness/root.ts';
import { caddyBinary, CADDYFILE, nativeCaddyEnv } from '../harness/stack/caddy.ts';
let failed = false;
const report = (ok: boolean, what: string, detail = '') => {
  if (!ok) failed = true;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `\n     ${detail.trim().replace(/\n/g, '\n     ')}` : ''}`,
  );
};
const run = (cmd: string, args: string[], env?: NodeJS.ProcessEnv) => {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', env });
  return {
    ok: r.status === 0,
    output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error?.message ?? ''}`,
  };
};

// The Caddyfile as compose runs it (its defaults) and as the native stack does (nativeCaddyEnv):
// `caddy validate` adapts and provisions it (every directive and placeholder checked against this
// caddy, 2.6 on Debian), with its files in a temporary directory; `caddy fmt` finds nothing to change.
for (const what of ['compose', 'native'] as const) {
  const dir = mkdtempSync(join(tmpdir(), 'tenantry-caddy-validate-'));
  try {
    const env =
      what === 'native'
        ? nativeCaddyEnv({
            httpPort: 8080,
            tlsPort: 8443,
            upstreams: ['127.0.0.1:3001', '127.0.0.1:3002'],
            internal: '127.0.0.1:3101',
            dir,
          })
        : {
            ...{ PATH: process.env.PATH, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
            // As docker-compose.yml sets it for the caddy:2 image.
            ON_DEMAND_LIMIT: 'none',
          };
    const args = ['validate', '--config', CADDYFILE, '--adapter', 'caddyfile'];
    const v = run(caddyBinary(), args, env);
    report(v.ok, `caddy validate: deploy/caddy/Caddyfile (${what})`, v.ok ? '' : v.output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const fmt = run(caddyBinary(), ['fmt', CADDYFILE]);
const unformatted = fmt.ok && fmt.output.trim() !== readFileSync(CADDYFILE, 'utf8').trim();
report(
  fmt.ok && !unformatted,
  'caddy fmt: deploy/caddy/Caddyfile is formatted',
  unformatted ? `run: caddy fmt --overwrite ${CADDYFILE}` : fmt.ok ? '' : fmt.output,
);

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
