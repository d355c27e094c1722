import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatTour, runTour } from '../../../cli/demo/tour';
import { packageRoot } from '../../../common/package-info';
import type { Emulator } from '../../../emulator/emulator';
import { MemoryLogger } from '../../../emulator/logger';
import { startEmulator } from '../../helpers/emulator';

describe('npm run demo: the tour of serverless.example.yml', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator(join(packageRoot, 'serverless.example.yml'), {
      engine: 'process',
      gcpPort: 0,
      azurePort: 0,
      logger: new MemoryLogger(),
    });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  test('visits every function on each of the three providers, cold then warm', async () => {
    const stops = await runTour(emulator);
    expect(
      stops.map(({ provider, functionName, request, status }) => ({
        provider,
        functionName,
        request,
        status,
      })),
    ).toEqual([
      { provider: 'aws', functionName: 'faasport-example-dev-hello', request: 'GET /dev/hello', status: 200 },
      { provider: 'aws', functionName: 'faasport-example-dev-pyhello', request: 'GET /py', status: 200 },
      {
        provider: 'gcp',
        functionName: 'faasport-example-dev-hello',
        request: 'GET /faasport-example-dev-hello',
        status: 200,
      },
      {
        provider: 'gcp',
        functionName: 'faasport-example-dev-helloEvent',
        request: 'Pub/Sub publish to greetings',
        status: 204,
      },
      {
        provider: 'azure',
        functionName: 'faasport-example-dev-hello',
        request: 'GET /api/hello',
        status: 200,
      },
    ]);
    for (const stop of stops) {
      // The first request started an instance (its init time is known), the second reused it.
      expect(Number(stop.initMs), stop.request).toBeGreaterThan(0);
      expect(stop.warmWasWarm, stop.request).toBe(true);
    }
    const table = formatTour(stops);
    expect(table.split('\n')[0]).toMatch(/^PROVIDER\s+FUNCTION\s+REQUEST\s+STATUS\s+COLD\s+INIT\s+WARM$/);
    expect(table).not.toContain('not warm');
  });
});
