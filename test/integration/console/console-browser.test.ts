import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EmulatorEvent } from '../../../emulator/events/emulator-event';
import { launchChromium, SCREENSHOTS } from '../../helpers/browser';
import { buildDist, type RunningEmulateCli, startEmulateCli } from '../../helpers/emulate-cli';

const SERVICE = `service: consoled
provider:
  name: faasport
  runtime: nodejs24.x
  memorySize: 128
functions:
  hello:
    handler: hello.handler
    package: { patterns: ['!**', 'hello.js'] }
    events: [{ httpApi: GET /hello }]
`;

const handler = (version: string) => `exports.handler = async (event) => {
  console.log('event ' + JSON.stringify(event).slice(0, 200));
  return { statusCode: 200, body: ${JSON.stringify(version)} };
};
`;

const ROW = 'tr.invocation';

describe('the console in a real browser (Chromium headless, faasport emulate --log-format json)', () => {
  let dir: string;
  let cli: RunningEmulateCli;
  let browser: Browser;
  let page: Page;
  let base: string;
  let stdout = '';

  const rows = (filter = '') => page.locator(`${ROW}${filter}`);
  const hello = async () => {
    const response = await fetch(`${base}/hello`);
    expect(response.status).toBe(200);
    return response.headers.get('x-faasport-cold');
  };

  beforeAll(async () => {
    await buildDist();
    dir = await mkdtemp(join(tmpdir(), 'faasport-console-'));
    await writeFile(join(dir, 'serverless.yml'), SERVICE);
    await writeFile(join(dir, 'hello.js'), handler('v1'));
    cli = await startEmulateCli(
      [
        '--engine',
        'process',
        '--watch',
        '--log-format',
        'json',
        '--cloud',
        ...['--port', '0', '--lambda-port', '0', '--gcp-port', '0', '--azure-port', '0'],
      ],
      { cwd: dir },
    );
    cli.child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    base = cli.url(/Console: (http:\/\/127\.0\.0\.1:\d+)\/__faasport\//);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${base}/__faasport/`);
    await page.locator('#status.live').waitFor();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    if (cli) expect(await cli.stop()).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });

  test('lists the function with its route, and shows requests as they happen with cold and warm marks', async () => {
    await expect
      .poll(() => page.locator('#functions tr[data-function="consoled-dev-hello"]').textContent())
      .toContain('GET /hello');
    expect(await hello()).toBe('true');
    expect(await hello()).toBe('false');
    await rows().nth(1).waitFor();
    expect(await rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-cold')))).toEqual([
      'false',
      'true',
    ]);
    await expect.poll(() => page.locator('#timeline .mark.cold').count()).toBe(1);
    expect(await page.locator('#timeline .mark.warm').count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'invocations.png'), fullPage: true });
  });

  test('one invocation’s logs, and a replay with an edited event', async () => {
    await rows('[data-cold="true"]').click();
    await expect.poll(() => page.locator('#detail pre.logs').textContent()).toMatch(/^START RequestId/);
    expect(await page.locator('#detail pre.logs').textContent()).toContain('REPORT RequestId');
    const editor = page.locator('#replay-event');
    await expect.poll(() => editor.inputValue()).toContain('"rawPath": "/hello"');
    await editor.fill('{"edited": "in the console"}');
    await page.locator('button[data-action="replay"]').click();
    const replay = rows('[data-trigger="replay"]');
    await replay.waitFor();
    await replay.click();
    await expect
      .poll(() => page.locator('#detail pre.logs').textContent())
      .toContain('event {"edited":"in the console"}');
    await page.screenshot({ path: join(SCREENSHOTS, 'replay.png'), fullPage: true });
  });

  test('recycle makes the next request cold; a sample event fired from the console runs the function', async () => {
    await page.locator('button[data-action="recycle"][data-function="consoled-dev-hello"]').click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('recycled consoled-dev-hello');
    expect(await hello()).toBe('true');
    await expect.poll(() => rows('[data-trigger="http"][data-cold="true"]').count()).toBe(2);
    await page.locator('select[data-samples="consoled-dev-hello"]').selectOption('sqs');
    await page.locator('button[data-action="sample"][data-function="consoled-dev-hello"]').click();
    await rows('[data-trigger="sqs"]').waitFor();
  });

  test('a file edit shows as a reload (digest before → after), a broken edit as a failure with file:line', async () => {
    await writeFile(join(dir, 'hello.js'), handler('v2'));
    await page.locator('#reloads tr.reload[data-outcome="reloaded"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#reloads tr.reload').first().textContent()).toMatch(
      /[0-9a-f]{12} → [0-9a-f]{12}/,
    );
    await writeFile(join(dir, 'hello.js'), 'exports.handler = async () => {\n  return (;\n};\n');
    const failed = page.locator('#reloads tr.reload[data-outcome="failed"]');
    await failed.waitFor({ timeout: 30_000 });
    expect(await failed.textContent()).toContain('hello.js:2');
    await page.screenshot({ path: join(SCREENSHOTS, 'console.png'), fullPage: true });
  });

  test('with --cloud, the local planes are read in process: what is deployed, and their request log', async () => {
    await expect
      .poll(() => page.locator('#planes h3').allTextContents())
      .toEqual(['Deployed', 'Requests (writes highlighted)']);
  });

  test('stdout is NDJSON only: every line one versioned event, the invocations and reloads among them', () => {
    const lines = stdout.split('\n').filter((line) => line !== '');
    const events = lines.map((line) => JSON.parse(line) as EmulatorEvent);
    expect(events.every((event) => event.v === 1 && typeof event.time === 'string')).toBe(true);
    const invocations = events.filter((event) => event.type === 'invocation');
    expect(invocations.map((event) => event.trigger)).toEqual(['http', 'http', 'replay', 'http', 'sqs']);
    expect(events.filter((event) => event.type === 'reload').map((event) => event.outcome)).toEqual([
      'reloaded',
      'failed',
    ]);
    expect(stdout).not.toContain('Ctrl-C stops everything.');
  });
});
