import { execFileSync, spawn } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildDist, faasportBin } from '../../helpers/emulate-cli';
import { until } from '../../helpers/eventually';
import { tempDir } from '../../helpers/temp-dir';

// `bin/faasport.js` re-runs itself on another Node (the checkout's own when the user's is too
// old, or FAASPORT_NODE): the PID the user started must behave as the emulator itself — a
// SIGTERM, SIGINT or SIGHUP (a closed terminal) to it stops the real emulator, its ports are freed, and the exit is the child's.
beforeAll(buildDist, 240_000);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('%s to the wrapper', (signal) => {
  test('reaches the emulator it started, which stops and frees its port', async () => {
    const dir = await tempDir('faasport-wrapper-');
    await writeFile(
      join(dir, 'serverless.yml'),
      'service: wrapped\nprovider:\n  name: faasport\n  runtime: nodejs24.x\nfunctions:\n  hello:\n    handler: h.hello\n    events:\n      - httpApi: GET /hello\n',
    );
    await writeFile(join(dir, 'h.js'), 'exports.hello = async () => ({ statusCode: 200, body: "hi" });\n');
    // The same Node under another name: the wrapper re-runs itself on it as on an older host's.
    const otherNode = join(dir, 'node');
    await symlink(process.execPath, otherNode);
    const wrapper = spawn(
      process.execPath,
      [faasportBin, 'emulate', '--engine', 'process', '--no-watch', '--port', '0', '--lambda-port', '0'],
      { cwd: dir, env: { ...process.env, FAASPORT_NODE: otherNode }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    wrapper.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    wrapper.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await until(() => output.includes('Ctrl-C stops everything.'));
    const url = /(http:\/\/127\.0\.0\.1:\d+)\/hello/.exec(output)?.[1];
    expect(url, output).toBeDefined();
    expect(await (await fetch(`${url}/hello`)).text()).toBe('hi');
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(wrapper.pid)], { encoding: 'utf8' });
    const emulatorPid = Number(children.trim().split('\n')[0]);
    expect(emulatorPid, 'the wrapper runs the emulator as its child').toBeGreaterThan(0);

    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      wrapper.once('exit', (code, sig) => resolve({ code, signal: sig })),
    );
    wrapper.kill(signal);
    const exit = await exited;
    // The emulator handles the signal (stops gracefully, exits 0); the wrapper exits as it did.
    expect(exit, output).toEqual({ code: 0, signal: null });
    await until(() => !alive(emulatorPid));
    await expect(fetch(`${url}/hello`)).rejects.toThrow();
  });
});
