import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Emulator } from '../../../emulator/emulator';
import { ProcessEngine } from '../../../emulator/engines/process-engine';
import { MemoryLogger } from '../../../emulator/logger';
import { buildDist, startEmulateCli } from '../../helpers/emulate-cli';
import { startEmulator } from '../../helpers/emulator';
import { alive } from '../../helpers/processes';

// What a user saw: a handler writing 100 MB without a newline held the emulator's memory and
// slowed every other function; children a handler started outlived its instance. The process
// engine is the point here (the docker engine gets both from the container).

const fixture = join(__dirname, '../../../fixtures/hostile-handlers');

const forkedPids = (text: string) =>
  [...text.matchAll(/forked child pid (\d+)/g)].map((match) => Number(match[1]));

const started: number[] = [];
afterAll(() => {
  for (const pid of started.filter(alive)) process.kill(pid, 'SIGKILL');
});

describe('hostile handlers on the process engine', () => {
  let emulator: Emulator;
  const logger = new MemoryLogger();
  beforeAll(async () => {
    emulator = await startEmulator(join(fixture, 'serverless.yml'), { engine: new ProcessEngine(), logger });
  });
  afterAll(() => emulator?.stop());

  const get = (path: string) => fetch(`${emulator.urls.gateway}${path}`);
  const childOf = async (path: string): Promise<number> => {
    const before = forkedPids(logger.lines.map((line) => line.text).join('\n')).length;
    await get(path);
    const pids = await vi.waitFor(
      () => {
        const all = forkedPids(logger.lines.map((line) => line.text).join('\n'));
        expect(all.length).toBeGreaterThan(before);
        return all;
      },
      { timeout: 5_000, interval: 20 },
    );
    const pid = pids[pids.length - 1] as number;
    started.push(pid);
    return pid;
  };

  test('one function writing 100 MB without a newline: its line is cut with a note, memory stays bounded, another function stays fast', async () => {
    for (let i = 0; i < 3; i += 1) expect((await get('/ping')).status).toBe(200); // warm

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 50);
    let flooding = true;
    const flood = get('/flood?mb=100').finally(() => {
      flooding = false;
    });
    const latencies: number[] = [];
    try {
      while (flooding) {
        const t0 = performance.now();
        expect((await get('/ping')).status).toBe(200);
        latencies.push(performance.now() - t0);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const answer = await flood;
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ wrote: 100 });
    } finally {
      clearInterval(sampler);
    }

    const floodLines = logger.lines.filter((line) => line.source === 'hostile-dev-flood');
    const cut = floodLines.find((line) => line.text.startsWith('x'));
    expect(cut?.text.length).toBe(256 * 1024);
    expect(floodLines.map((line) => line.text)).toContainEqual(
      expect.stringMatching(
        /^faasport: the line above was cut to 256 KB \(\d+ bytes dropped\): CloudWatch Logs/,
      ),
    );
    // Measured, as the issue asks: before the fix 0.3–1.5 s per ping and +330 MB; bounds are generous.
    latencies.sort((a, b) => a - b);
    const median = latencies[Math.floor(latencies.length / 2)] ?? 0;
    console.log(
      `flood: ${latencies.length} pings, median ${median.toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms, ` +
        `emulator RSS +${((rssPeak - rssBefore) / 2 ** 20).toFixed(0)} MB`,
    );
    expect(latencies.length).toBeGreaterThan(3);
    expect(median).toBeLessThan(250);
    expect(rssPeak - rssBefore).toBeLessThan(200 * 2 ** 20);
  }, 120_000);

  test('a child the handler started is gone after the instance is recycled', async () => {
    const pid = await childOf('/fork');
    expect(alive(pid)).toBe(true);
    emulator.recycle('hostile-dev-forker');
    await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 15_000, interval: 50 });
  });

  test('… after the invocation timed out', async () => {
    const pid = await childOf('/fork?then=sleep');
    await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 15_000, interval: 50 });
  });

  test('… after the handler crashed', async () => {
    const pid = await childOf('/fork?then=crash');
    await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 15_000, interval: 50 });
  });
});

describe('Ctrl-C on `faasport emulate --engine process`', () => {
  beforeAll(buildDist, 240_000);

  test('ends the children handlers started', async () => {
    const cli = await startEmulateCli(['--engine', 'process', '--port', '0', '--lambda-port', '0'], {
      cwd: fixture,
    });
    let pid: number | undefined;
    try {
      const url = cli.url(/(http:\/\/127\.0\.0\.1:\d+)\/fork/);
      expect((await fetch(`${url}/fork`)).status).toBe(200);
      pid = await vi.waitFor(
        () => {
          const found = forkedPids(cli.logs())[0];
          expect(found).toBeDefined();
          return found as number;
        },
        { timeout: 5_000, interval: 20 },
      );
      started.push(pid);
      expect(alive(pid)).toBe(true);
    } finally {
      expect(await cli.stop(), cli.logs()).toBe(0);
    }
    await vi.waitFor(() => expect(alive(pid as number)).toBe(false), { timeout: 5_000, interval: 50 });
  }, 60_000);
});
