import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadService } from '../../../common/service/load-service';
import { LocalFunctionCode } from '../../../emulator/code/function-code';
import { MemoryLogger } from '../../../emulator/logger';
import { HotReload, type ReloadTarget } from '../../../emulator/watch/hot-reload';
import { eventually } from '../../helpers/eventually';
import { tempDir } from '../../helpers/temp-dir';

// The reloader with the real packer and watcher, and targets whose code "starts" when handler.js
// holds no `BROKEN` (no engine needed): what is tried, what is swapped, what is said.
describe('hot reload: drafts, packs and reports', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  async function setUp(options: { writesLog: boolean }) {
    const dir = await tempDir('faasport-reload-reports-');
    await writeFile(
      join(dir, 'serverless.yml'),
      'service: r\nprovider:\n  name: faasport\n  runtime: nodejs24.x\nfunctions:\n  api:\n    handler: handler.api\n',
    );
    await writeFile(join(dir, 'handler.js'), 'exports.api = async () => 1;\n');
    await writeFile(join(dir, 'app.log'), 'started\n');
    await mkdir(join(dir, 'lib'));
    await writeFile(join(dir, 'lib/util.js'), 'module.exports = 1;\n');
    const model = await loadService(join(dir, 'serverless.yml'));
    const fn = model.functions[0];
    if (!fn) throw new Error('no function');
    const code = new LocalFunctionCode(model, { cacheDir: await tempDir('faasport-reload-cache-') });
    const logger = new MemoryLogger();
    const tried: string[] = [];
    const swapped: string[] = [];
    const target: ReloadTarget = {
      provider: 'aws',
      name: 'r-dev-api',
      model: fn,
      async tryCode(codeDir) {
        tried.push(codeDir);
        // What a log file written into the service folder does between a draft and its pack.
        if (options.writesLog) await appendFile(join(dir, 'app.log'), `tried ${tried.length}\n`);
        const source = await readFile(join(codeDir, 'handler.js'), 'utf8');
        return source.includes('BROKEN')
          ? {
              errorType: 'Runtime.UserCodeSyntaxError',
              message: 'Unexpected identifier',
              location: 'handler.js:1',
            }
          : undefined;
      },
      updateCode(codeDir) {
        swapped.push(codeDir);
      },
    };
    const initial = await code.prepare(fn);
    await code.serve('aws:api', initial);
    const reload = new HotReload({ model, code, targets: [target], logger });
    await reload.start(new Map([['r-dev-api', initial]]));
    stops.push(async () => {
      await reload.stop();
      code.close();
    });
    return { dir, reload, code, logger, tried, swapped };
  }

  it('serves an edit from a draft that the pack then adopts: one trial, one swap, one line', async () => {
    const { dir, reload, logger, tried, swapped } = await setUp({ writesLog: false });
    await writeFile(join(dir, 'handler.js'), 'exports.api = async () => 2;\n');
    const line = await eventually(
      async () => logger.lines.find((l) => l.text.startsWith('reloaded ')),
      (found) => found !== undefined,
    );
    await reload.idle();
    expect(line?.text).toMatch(
      /^reloaded [0-9a-f]{12} → [0-9a-f]{12} in \d+ ms \(packed like publish in \d+ ms\)/,
    );
    expect(tried).toEqual(swapped); // the pack agreed with the draft: not tried again
    expect(swapped).toEqual([expect.stringMatching(/\/draft-[0-9a-f]{16}$/)]);
    expect(logger.lines.filter((l) => l.text.startsWith('reloaded '))).toHaveLength(1);
  });

  it('reports a broken edit once, though the draft and the pack after it differ and both fail', async () => {
    const { dir, reload, logger, tried, swapped } = await setUp({ writesLog: true });
    await writeFile(join(dir, 'handler.js'), 'BROKEN\n');
    await eventually(
      async () => tried.length,
      (n) => n >= 2,
    );
    await reload.idle();
    await new Promise((resolve) => setTimeout(resolve, 300)); // the watcher's batch of app.log
    await reload.idle();
    const reports = logger.lines.filter((l) => l.text.startsWith('new code does not start'));
    expect(reports.map((l) => l.text)).toEqual([
      expect.stringMatching(
        /^new code does not start: Runtime.UserCodeSyntaxError at handler.js:1: Unexpected identifier — still serving [0-9a-f]{12}$/,
      ),
    ]);
    expect(swapped).toEqual([]);
    // Fixed, then broken the same way again: said again (a problem that comes back is news).
    await writeFile(join(dir, 'handler.js'), 'exports.api = async () => 3;\n');
    await eventually(
      async () => swapped.length,
      (n) => n >= 1,
    );
    await reload.idle();
    await writeFile(join(dir, 'handler.js'), 'BROKEN again\n');
    await eventually(
      async () => logger.lines.filter((l) => l.text.startsWith('new code does not start')).length,
      (n) => n === 2,
    );
  });
});
