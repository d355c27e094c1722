import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import type { Emulator } from '../../../emulator/emulator';
import { DockerEngine } from '../../../emulator/engines/docker-engine';
import type { Engine } from '../../../emulator/engines/engine';
import { ProcessEngine } from '../../../emulator/engines/process-engine';
import { MemoryLogger } from '../../../emulator/logger';
import { dockerClient } from '../../helpers/docker';
import { startEmulator } from '../../helpers/emulator';

const config = join(__dirname, '../../../fixtures/shutdown-hooks/serverless.yml');
/** Short, so that the SIGKILL bound is reached quickly when a function ignores SIGTERM. */
const GRACE_MS = 1000;

const engines: [string, () => Engine][] = [
  ['process', () => new ProcessEngine({ stopGraceMs: GRACE_MS })],
  ['docker', () => new DockerEngine({ docker: dockerClient(), stopGraceMs: GRACE_MS })],
];

async function emulateShutdownHooks(engine: Engine): Promise<{ emulator: Emulator; logger: MemoryLogger }> {
  const logger = new MemoryLogger();
  const emulator = await startEmulator(config, { engine, gcpPort: 0, logger });
  return { emulator, logger };
}

/** Lines a function logged that contain `marker` (its own output, whatever the log format). */
const logged = (logger: MemoryLogger, fn: string, marker: string) =>
  logger.lines.filter((line) => line.source === fn && line.text.includes(marker));

describe.each(engines)('graceful stop on the %s engine', (engineName, makeEngine) => {
  test('a recycled instance gets SIGTERM first: a Lambda handler’s async shutdown hook completes, functions-framework’s runs', async () => {
    const { emulator, logger } = await emulateShutdownHooks(makeEngine());
    try {
      const lambda = 'shutdown-dev-lambdaHook';
      const gcp = 'shutdown-dev-httpHook';
      const invoked = await emulator.invoke(lambda, {});
      expect(invoked.cold).toBe(true);
      const response = await fetch(`${emulator.urls.gcp}/${gcp}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ name: gcp });

      emulator.recycle(lambda);
      emulator.recycle(gcp);

      await vi.waitFor(
        () => {
          expect(logged(logger, lambda, `${lambda} received SIGTERM`)).toHaveLength(1);
          expect(logged(logger, lambda, `${lambda} cleaned up`)).toHaveLength(1);
          expect(logged(logger, gcp, `${gcp} received SIGTERM`)).toHaveLength(1);
        },
        { timeout: 15_000, interval: 50 },
      );
      // The next request is served by a new instance.
      expect((await emulator.invoke(lambda, {})).cold).toBe(true);
    } finally {
      await emulator.stop();
    }
  });

  test('an instance that ignores SIGTERM is killed once the grace bound has passed', async () => {
    const { emulator, logger } = await emulateShutdownHooks(makeEngine());
    const fn = 'shutdown-dev-stubborn';
    let pid: number | undefined;
    try {
      const invoked = await emulator.invoke(fn, {});
      pid = (JSON.parse(invoked.payload.toString('utf8')) as { pid: number }).pid;
    } finally {
      await emulator.stop();
    }
    await vi.waitFor(() => expect(logged(logger, fn, `${fn} ignores SIGTERM`)).toHaveLength(1), {
      timeout: 5_000,
      interval: 50,
    });
    if (engineName === 'docker') {
      const left = await dockerClient().listContainers({
        all: true,
        filters: { label: [`org.faasport.function=${fn}`] },
      });
      expect(left).toEqual([]);
    } else {
      expect(() => process.kill(pid ?? 0, 0)).toThrow(/ESRCH/);
    }
  });
});
