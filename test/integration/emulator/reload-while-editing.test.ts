import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildDist, type RunningEmulateCli, startEmulateCli } from '../../helpers/emulate-cli';
import { tempDir } from '../../helpers/temp-dir';

// What a user saw: `faasport emulate --watch > emu.log` in their service folder, a few ordinary
// saves of a handler and of serverless.yml while the emulator was repacking, and the emulator
// died on "file data stream has unexpected number of bytes". A save during a pack means: repack.

const service = (extra = '') => `service: edits
provider:
  name: faasport
  runtime: nodejs24.x
functions:
  hello:
    handler: handler.hello
    events:
      - httpApi: GET /hello
${extra}`;

const handler = (version: string, padding = 0) =>
  `exports.hello = async () => ({ statusCode: 200, body: ${JSON.stringify(version)} });\n// ${'x'.repeat(padding)}\n`;

beforeAll(buildDist, 240_000);

describe.each(['process', 'docker'] as const)('saving files while the %s engine repacks', (engine) => {
  test('the emulator keeps serving and ends on the last saved code', async () => {
    const dir = await tempDir('faasport-edits-');
    await writeFile(join(dir, 'serverless.yml'), service());
    await writeFile(join(dir, 'handler.js'), handler('v0'));
    // Enough other files that each pack takes a while, so saves land in the middle of packs.
    for (let i = 0; i < 200; i++) await writeFile(join(dir, `asset-${i}.txt`), `${i}`.repeat(20_000));

    let cli: RunningEmulateCli | undefined;
    try {
      cli = await startEmulateCli(['--engine', engine, '--watch', '--port', '0', '--lambda-port', '0'], {
        cwd: dir,
        logFile: join(dir, 'emu.log'),
      });
      const url = `${cli.url(/(http:\/\/127\.0\.0\.1:\d+)\/hello/)}/hello`;
      expect(await (await fetch(url)).text()).toBe('v0');

      // Two seconds of saves of changing sizes, to the handler and to serverless.yml, with
      // requests in between; every request must get an answer from some version.
      const until = Date.now() + 2_000;
      let saves = 0;
      while (Date.now() < until) {
        saves++;
        await writeFile(join(dir, 'handler.js'), handler(`v${saves}`, (saves % 5) * 40_000));
        if (saves % 7 === 0) await writeFile(join(dir, 'serverless.yml'), service(`# edit ${saves}\n`));
        if (saves % 10 === 0) {
          const response = await fetch(url);
          expect(response.status, cli.logs()).toBe(200);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(saves).toBeGreaterThan(20);

      await writeFile(join(dir, 'handler.js'), handler('final'));
      const deadline = Date.now() + 30_000;
      let body = '';
      while (Date.now() < deadline) {
        body = await (await fetch(url)).text();
        if (body === 'final') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(body, cli.logs()).toBe('final');
      expect(cli.child.exitCode, cli.logs()).toBeNull();
      expect(cli.logs()).not.toMatch(/unexpected number of bytes|internal error|Unhandled/);
    } finally {
      const code = await cli?.stop();
      expect(code, cli?.logs()).toBe(0);
    }
  });
});
