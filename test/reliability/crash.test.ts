import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startServer, type ServerProcess } from '../../harness/server-process.ts';

const PLANT = fileURLToPath(new URL('./fixtures/plant-fault.ts', import.meta.url));

let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.stop('SIGKILL');
  server = undefined;
});

describe.runIf(inject('redisServerAvailable'))(
  'when the code itself fails',
  { timeout: 30_000 },
  () => {
    it.each([
      ['throw', 'uncaught exception'],
      ['reject', 'unhandled rejection'],
    ])(
      'when a %s escapes every handler, then it is logged as fatal and the process exits 1 for the supervisor to restart',
      async (fault, message) => {
        server = await startServer({
          redisUrl: inject('redisUrl'),
          env: { PLANT_FAULT: fault },
          preload: [PLANT],
        });
        server.child.kill('SIGUSR2');
        const exit = await server.exited;
        expect(exit.code).toBe(1);
        const fatal = server.logs().filter((line) => line.level === 60);
        expect(fatal.map((line) => line.msg)).toEqual([expect.stringContaining(message)]);
        expect(fatal[0]!.raw).toContain(`planted ${fault === 'throw' ? 'exception' : 'rejection'}`);
      },
    );
  },
);
