import { expect, test } from 'vitest';
import { checkNodeVersion } from '../../../cli/doctor/node-version';

test.each([
  ['22.0.0', 'ok'],
  ['22.13.1', 'ok'],
  ['24.21.0', 'ok'],
  ['20.19.2', 'missing'],
  ['18.0.0', 'missing'],
])('Node %s is %s, and the check is required', (version, status) => {
  const check = checkNodeVersion(version);
  expect(check).toMatchObject({ name: 'Node.js', status, required: true });
  expect(check.detail).toContain(version);
  if (status === 'missing') expect(check.detail).toMatch(/22 or newer/);
});

test('when the checkout re-ran itself on its own Node, both versions are shown', () => {
  const check = checkNodeVersion('24.21.0', 'v20.19.2');
  expect(check.status).toBe('ok');
  expect(check.detail).toBe(
    "v24.21.0 runs faasport (this checkout's own); your node is v20.19.2, too old for faasport outside this checkout (install 22 or 24)",
  );
  expect(checkNodeVersion('24.21.0', 'v24.21.0').detail).toBe('v24.21.0');
});
