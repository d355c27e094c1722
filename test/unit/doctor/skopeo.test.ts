import { expect, test } from 'vitest';
import { checkSkopeo } from '../../../cli/doctor/skopeo';
import { fakeHost } from './fake-host';

test('found on PATH: ok with its version and path', async () => {
  const host = fakeHost({ env: { PATH: '/opt/none:/usr/bin' }, executables: ['/usr/bin/skopeo'] });
  const asked: string[] = [];
  const check = await checkSkopeo(host, async (binary) => {
    asked.push(binary);
    return 'skopeo version 1.9.3';
  });
  expect(asked).toEqual(['/usr/bin/skopeo']);
  expect(check).toEqual({
    name: 'skopeo',
    status: 'ok',
    required: false,
    detail: 'skopeo version 1.9.3 at /usr/bin/skopeo',
  });
});

test('absent: a warning that says how to install it', async () => {
  const check = await checkSkopeo(fakeHost({ env: { PATH: '/usr/bin' } }), async () => 'unused');
  expect(check).toMatchObject({ status: 'warn', required: false });
  expect(check.detail).toContain('apt-get install skopeo');
});

test('present but broken: a warning with the reason', async () => {
  const host = fakeHost({ env: { PATH: '/usr/bin' }, executables: ['/usr/bin/skopeo'] });
  const check = await checkSkopeo(host, async () => {
    throw new Error('exec format error');
  });
  expect(check.status).toBe('warn');
  expect(check.detail).toContain('exec format error');
});
