import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { freePort } from '../../helpers/ports';
import { FRAMEWORKS, type ServiceDir, serviceDir, useScratchDir } from '../../helpers/sls/framework-cli';
import { bannerPrinted, startEmulating } from './emulate-process';

// Plugins of serverless-offline projects hook its lifecycle (serverless-esbuild builds
// `before:offline:start`, a local database starts `before:offline:start:init` and stops
// `before:offline:start:end`): `sls offline` and `sls offline start` keep those events, in order.
const SERVICE = `service: e2eofflinehooks
plugins:
  - serverless-faasport
  - ./hooks-plugin
provider:
  name: faasport
  stage: dev
  runtime: nodejs22.x
  targets:
    aws: { region: us-east-1 }
functions:
  hello:
    handler: handler.hello
    events:
      - httpApi: GET /hello
`;

// A plugin as other projects write them: it records each hook it sees, in order.
const HOOKS_PLUGIN = `const { appendFileSync } = require('node:fs');
const { join } = require('node:path');
module.exports = class HooksPlugin {
  constructor(serverless) {
    const seen = (name) => () => appendFileSync(join(serverless.serviceDir ?? process.cwd(), 'hooks.log'), name + '\\n');
    this.hooks = {};
    for (const name of ['before:offline:start', 'before:offline:start:init', 'after:offline:start:init', 'before:offline:start:end', 'after:offline:start:end']) {
      this.hooks[name] = seen(name);
    }
  }
};
`;

const scratch = useScratchDir();

describe.each(FRAMEWORKS)('%s offline', (_framework, _id, cli) => {
  const dirs: ServiceDir[] = [];
  afterAll(() => {
    for (const dir of dirs) dir.remove();
  });

  /** `settings`: where the ports come from — the command line, or custom.serverless-offline. */
  const run = async (command: string[], settings: 'flags' | 'custom' = 'flags') => {
    const [port, lambdaPort] = await Promise.all([freePort(), freePort()]);
    const custom = `custom:\n  serverless-offline:\n    httpPort: ${port}\n    lambdaPort: ${lambdaPort}\n    noTimeout: true\n`;
    const service = serviceDir(settings === 'custom' ? `${SERVICE}${custom}` : SERVICE);
    dirs.push(service);
    writeFileSync(join(service.dir, 'hooks-plugin.js'), HOOKS_PLUGIN);
    writeFileSync(join(service.dir, 'handler.js'), "exports.hello = async () => 'hi';\n");
    const emulating = startEmulating(
      cli(),
      service.dir,
      [
        ...command,
        '--engine',
        'process',
        '--port',
        String(port),
        '--lambda-port',
        String(lambdaPort),
        '--no-watch',
      ],
      scratch.dir,
    );
    const hooks = () => readFileSync(join(service.dir, 'hooks.log'), 'utf8').trim().split('\n');
    try {
      await bannerPrinted(emulating);
      const answer = await fetch(`http://127.0.0.1:${port}/hello`);
      expect(await answer.text(), emulating.output()).toBe('hi');
      return { hooks, stop: () => emulating.stop(), emulating };
    } catch (error) {
      await emulating.stop();
      throw error;
    }
  };

  test('sls offline start runs init, ready and end, with other plugins’ hooks around them', async () => {
    const { hooks, stop, emulating } = await run(['offline', 'start']);
    expect(hooks()).toEqual(['before:offline:start:init', 'after:offline:start:init']); // serving now
    await stop();
    expect(hooks(), emulating.output()).toEqual([
      'before:offline:start:init',
      'after:offline:start:init',
      'before:offline:start:end',
      'after:offline:start:end',
    ]);
    expect(emulating.sls.child.exitCode).toBe(0);
  });

  test('sls offline runs the start event other plugins hook, with the ports of custom.serverless-offline', async () => {
    const { hooks, stop, emulating } = await run(['offline'], 'custom');
    expect(hooks()).toEqual(['before:offline:start']);
    expect(emulating.output()).toContain(
      'custom.serverless-offline: noTimeout has no faasport equivalent and is ignored',
    );
    await stop();
  });
});
