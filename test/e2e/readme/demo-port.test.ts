import { spawn } from 'node:child_process';
import { expect, test } from 'vitest';
import { faasportBin } from '../../helpers/emulate-cli';
import { freePort } from '../../helpers/ports';

test('faasport demo --port serves the example service on the ports it is given', async () => {
  const [port, lambdaPort, gcpPort, azurePort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const child = spawn(
    process.execPath,
    [
      faasportBin,
      'demo',
      '--engine',
      'process',
      '--port',
      String(port),
      '--lambda-port',
      String(lambdaPort),
      '--gcp-port',
      String(gcpPort),
      '--azure-port',
      String(azurePort),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  try {
    const deadline = Date.now() + 120_000;
    while (!output.includes('Ctrl-C stops everything.')) {
      if (child.exitCode !== null) throw new Error(`faasport demo exited (${child.exitCode}):\n${output}`);
      if (Date.now() > deadline) throw new Error(`faasport demo did not serve in time:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(output).toContain(`http://127.0.0.1:${port}/dev/hello`);
    expect(output).toContain(`http://127.0.0.1:${lambdaPort}/2015-03-31/functions`);
    expect(output).not.toContain('127.0.0.1:3000');
    const response = await fetch(`http://127.0.0.1:${port}/dev/hello`);
    expect(response.status).toBe(200);
    const gcp = await fetch(`http://127.0.0.1:${gcpPort}/`);
    expect(gcp.status).toBeLessThan(500);
    const azure = await fetch(`http://127.0.0.1:${azurePort}/api/hello`);
    expect(azure.status).toBe(200);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.exitCode === null) child.kill('SIGINT');
    await exited;
  }
});

test('faasport demo refuses a port that is not one, before anything starts', async () => {
  const child = spawn(process.execPath, [faasportBin, 'demo', '--port', 'x'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  expect(code).toBe(2);
  expect(stderr).toContain('--port must be a whole number');
});
