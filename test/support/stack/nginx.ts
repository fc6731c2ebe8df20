import { commandWorks } from '../launch.ts';

/**
 * The nginx binary: NGINX_PATH, else `nginx` on PATH, else the sbin directories that a non-root
 * user's PATH often lacks (Debian installs it as /usr/sbin/nginx).
 */
export function nginxBinary(): string {
  if (process.env.NGINX_PATH) return process.env.NGINX_PATH;
  const candidates = [
    'nginx',
    '/usr/sbin/nginx',
    '/usr/local/sbin/nginx',
    '/opt/homebrew/bin/nginx',
  ];
  return candidates.find((c) => commandWorks(c, ['-v'])) ?? 'nginx';
}
