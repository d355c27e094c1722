import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { packageRoot } from '../../../common/package-info';
import { run } from '../../helpers/run';

const cli = join(packageRoot, 'bin', 'faasport.js');

/** What the portable fixture answers on every provider. */
type Greeting = {
  message: string;
  provider: 'aws' | 'gcp' | 'azure';
  instance: { id: string; invocations: number };
  cold: boolean;
};

beforeAll(async () => {
  // The CLI runs from dist/: compile what is there now.
  const build = await run(
    process.execPath,
    [join(packageRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: packageRoot, timeoutMs: 240_000 },
  );
  expect(build.code, build.stdout + build.stderr).toBe(0);
});

/** `faasport emulate` as a user runs it, on ephemeral ports; resolves with its URLs once it serves. */
async function startCli(engine: 'process' | 'docker') {
  const child = spawn(
    process.execPath,
    [
      cli,
      'emulate',
      '-c',
      'serverless.example.yml',
      '--engine',
      engine,
      '--no-watch',
      ...['--port', '0', '--lambda-port', '0', '--gcp-port', '0', '--azure-port', '0'],
    ],
    { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const banner = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('Ctrl-C stops everything.')) resolve(stdout);
    });
    child.once('exit', (code) =>
      reject(new Error(`faasport emulate exited (${code}) before serving:\n${stdout}\n${stderr}`)),
    );
  });
  const url = (pattern: RegExp) => {
    const found = pattern.exec(banner)?.[1];
    if (!found) throw new Error(`no URL for ${pattern} in the banner:\n${banner}`);
    return found;
  };
  return {
    child,
    banner,
    logs: () => stdout + stderr,
    aws: url(/POST (http:\/\/127\.0\.0\.1:\d+)\/__faasport\/functions/),
    gcp: url(/Google Cloud Functions: (http:\/\/127\.0\.0\.1:\d+)\//),
    azure: url(/Azure Functions: (http:\/\/127\.0\.0\.1:\d+)\//),
  };
}

async function stopCli(child: ChildProcessByStdio<null, Readable, Readable>): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  return exited;
}

describe.each(['process', 'docker'] as const)(
  'one artefact, three providers, one faasport emulate (%s engine)',
  (engine) => {
    let emulator: Awaited<ReturnType<typeof startCli>>;

    beforeAll(async () => {
      emulator = await startCli(engine);
    });
    afterAll(async () => {
      if (emulator) expect(await stopCli(emulator.child)).toBe(0);
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
          cli,
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
  const faasport = (args: string[]) => run(process.execPath, [cli, ...args], { cwd: packageRoot });

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
