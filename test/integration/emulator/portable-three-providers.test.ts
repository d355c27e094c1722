import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { packageRoot } from '../../../common/package-info';
import { buildDist, faasportBin, startEmulateCli } from '../../helpers/emulate-cli';
import { run } from '../../helpers/run';

/** What the portable fixture answers on every provider. */
type Greeting = {
  message: string;
  provider: 'aws' | 'gcp' | 'azure';
  instance: { id: string; invocations: number };
  cold: boolean;
};

beforeAll(buildDist, 240_000);

/** `faasport emulate` as a user runs it, on ephemeral ports; resolves with its URLs once it serves. */
async function startCli(engine: 'process' | 'docker') {
  const running = await startEmulateCli(
    [
      '-c',
      'serverless.example.yml',
      '--engine',
      engine,
      '--no-watch',
      ...['--port', '0', '--lambda-port', '0', '--gcp-port', '0', '--azure-port', '0'],
    ],
    // Bounded by the hook timeout, as before: the docker engine pulls and starts three runtimes.
    { cwd: packageRoot, readyTimeoutMs: 300_000 },
  );
  return {
    ...running,
    banner: running.logs(),
    aws: running.url(/POST (http:\/\/127\.0\.0\.1:\d+)\/__faasport\/functions/),
    gcp: running.url(/Google Cloud Functions: (http:\/\/127\.0\.0\.1:\d+)\//),
    azure: running.url(/Azure Functions: (http:\/\/127\.0\.0\.1:\d+)\//),
  };
}

describe.each(['process', 'docker'] as const)(
  'one artefact, three providers, one faasport emulate (%s engine)',
  (engine) => {
    let emulator: Awaited<ReturnType<typeof startCli>>;

    beforeAll(async () => {
      emulator = await startCli(engine);
    });
    afterAll(async () => {
      if (emulator) expect(await emulator.stop()).toBe(0);
    });

    test('the banner lists each provider’s routes', () => {
      expect(emulator.banner).toContain('/dev/hello');
      expect(emulator.banner).toContain('/faasport-example-dev-hello');
      expect(emulator.banner).toContain('/api/hello');
      expect(emulator.banner).toContain('/py');
    });

    test.each([
      ['aws', (e: typeof emulator) => `${e.aws}/dev/hello?name=Ada`],
      ['gcp', (e: typeof emulator) => `${e.gcp}/faasport-example-dev-hello?name=Ada`],
      ['azure', (e: typeof emulator) => `${e.azure}/api/hello?name=Ada`],
    ] as const)('%s: the same zip answers, cold then warm on one instance', async (provider, address) => {
      const first = await fetch(address(emulator));
      expect(first.status).toBe(200);
      expect(first.headers.get('x-faasport-cold')).toBe('true');
      const cold = (await first.json()) as Greeting;
      expect(cold).toMatchObject({
        message: 'Hello, Ada!',
        provider,
        cold: true,
        instance: { invocations: 1 },
      });

      const second = await fetch(address(emulator));
      expect(second.headers.get('x-faasport-cold')).toBe('false');
      expect(second.headers.get('x-faasport-instance')).toBe(first.headers.get('x-faasport-instance'));
      const warm = (await second.json()) as Greeting;
      expect(warm).toMatchObject({
        provider,
        cold: false,
        instance: { id: cold.instance.id, invocations: 2 },
      });
    });

    test('the Python function is served on AWS alongside', async () => {
      const response = await fetch(`${emulator.aws}/py?name=Grace`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ message: 'Hello, Grace!', provider: 'aws' });
    });

    test('faasport emulate publish reaches the CloudEvent function through the running emulator', async () => {
      const published = await run(
        process.execPath,
        [
          faasportBin,
          'emulate',
          'publish',
          '--topic',
          'greetings',
          '--data',
          '{"name":"Pub"}',
          '--url',
          emulator.gcp,
        ],
        { cwd: packageRoot },
      );
      expect(published.code, published.stderr).toBe(0);
      expect(published.stderr).toContain(`published through the emulator at ${emulator.gcp}`);
      const outcome = JSON.parse(published.stdout) as { messageIds: string[]; deliveries: unknown[] };
      expect(outcome.deliveries).toEqual([
        { function: 'faasport-example-dev-helloEvent', status: 204, body: '' },
      ]);
    });

    test('recycling one name recycles it on every provider', async () => {
      const recycled = await fetch(
        `${emulator.gcp}/__faasport/functions/faasport-example-dev-hello/recycle`,
        { method: 'POST' },
      );
      expect(await recycled.json()).toEqual({ recycled: 'faasport-example-dev-hello', providers: 3 });
      for (const url of [
        `${emulator.aws}/dev/hello`,
        `${emulator.gcp}/faasport-example-dev-hello`,
        `${emulator.azure}/api/hello`,
      ]) {
        const response = await fetch(url);
        expect(response.headers.get('x-faasport-cold'), url).toBe('true');
        await response.arrayBuffer();
      }
    });
  },
);

describe('faasport emulate invoke and publish without a running emulator (process engine)', () => {
  const faasport = (args: string[]) => run(process.execPath, [faasportBin, ...args], { cwd: packageRoot });

  test('--event pubsub delivers a messagePublished CloudEvent to a GCP function', async () => {
    const result = await faasport([
      'emulate',
      'invoke',
      '-c',
      'serverless.example.yml',
      '-f',
      'helloEvent',
      '--event',
      'pubsub',
      '--engine',
      'process',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      function: 'faasport-example-dev-helloEvent',
      status: 204,
      body: '',
    });
    expect(result.stderr).toContain('"type":"google.cloud.pubsub.topic.v1.messagePublished"');
  });

  test('--event timer runs an Azure timer function; an event the function has no trigger for is refused', async () => {
    const config = 'fixtures/azure-behaviours/serverless.yml';
    const timer = await faasport([
      'emulate',
      'invoke',
      '-c',
      config,
      '-f',
      'main',
      '--event',
      'timer',
      '--engine',
      'process',
    ]);
    expect(timer.code, timer.stderr).toBe(0);
    expect(JSON.parse(timer.stdout)).toMatchObject({
      app: 'azb-dev-main',
      function: 'atStartup',
      outcome: 'succeeded',
    });
    const refused = await faasport([
      'emulate',
      'invoke',
      '-c',
      config,
      '-f',
      'limits',
      '--event',
      'queue',
      '--engine',
      'process',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('azb-dev-limits registers no queue trigger');
  });

  test('publish with nothing listening starts an emulator for the delivery', async () => {
    const result = await faasport([
      'emulate',
      'publish',
      '-c',
      'serverless.example.yml',
      '--topic',
      'greetings',
      '--data',
      '{"name":"Solo"}',
      '--url',
      'http://127.0.0.1:9', // the discard port: nothing answers HTTP there
      '--engine',
      'process',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).deliveries).toEqual([
      { function: 'faasport-example-dev-helloEvent', status: 204, body: '' },
    ]);
    expect(result.stderr).not.toContain('published through the emulator');
    const bad = await faasport(['emulate', 'publish', '--topic', 'greetings', '--data', 'not json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--data is not JSON');
  });
});
