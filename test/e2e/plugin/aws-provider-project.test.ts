import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { freePort } from '../../helpers/ports';
import { FRAMEWORKS, type ServiceDir, serviceDir, useScratchDir } from '../../helpers/sls/framework-cli';
import { runSls } from '../../helpers/sls/sls-process';
import { bannerPrinted, startEmulating } from './emulate-process';

// A serverless-offline project as it is: `provider: aws`, the plugin added to `plugins:`. On main
// the framework skipped faasport for it (a provider plugin of another provider) and `sls emulate`
// / `sls offline start` answered "Unrecognized command". Now the local commands run, and the
// framework's own AWS commands stay in charge of deploying.

const yml = [
  'service: shop',
  'plugins:',
  '  - serverless-faasport',
  'provider:',
  '  name: aws',
  '  runtime: nodejs20.x',
  '  region: eu-west-1',
  'functions:',
  '  hello:',
  '    handler: handler.hello',
  '    events:',
  '      - http: GET /hello',
  '',
].join('\n');

const scratch = useScratchDir();

describe.each(FRAMEWORKS)('%s with an AWS-provider project', (_framework, _id, cli) => {
  const dirs: ServiceDir[] = [];
  afterAll(() => {
    for (const dir of dirs) dir.remove();
  });

  test.each(['emulate', 'offline start'])('sls %s serves it unchanged', async (command) => {
    const service = serviceDir(yml);
    dirs.push(service);
    writeFileSync(
      join(service.dir, 'handler.js'),
      'exports.hello = async (event) => ({ statusCode: 200, body: `hello from ${event.requestContext.stage}` });\n',
    );
    const [port, lambdaPort] = await Promise.all([freePort(), freePort()]);
    const emulating = startEmulating(
      cli(),
      service.dir,
      [
        ...command.split(' '),
        '--engine',
        'process',
        '--port',
        String(port),
        '--lambda-port',
        String(lambdaPort),
      ],
      scratch.dir,
    );
    try {
      await bannerPrinted(emulating);
      const response = await fetch(`http://127.0.0.1:${port}/dev/hello`);
      expect(await response.text(), emulating.output()).toBe('hello from dev');
    } finally {
      await emulating.stop();
    }
  });

  test('the framework keeps its own AWS commands: deploy --help is the AWS one', async () => {
    const service = serviceDir(yml);
    dirs.push(service);
    const help = await runSls(cli(), service.dir, ['deploy', '--help'], scratch.dir);
    // faasport's --local-cloud belongs to faasport-provider services only.
    expect(help.stdout + help.stderr).not.toContain('--local-cloud');
    expect(help.stdout + help.stderr).toContain('deploy');
  });
});
