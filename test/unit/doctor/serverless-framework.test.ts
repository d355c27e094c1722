import { expect, test } from 'vitest';
import {
  checkServerlessFramework,
  type FoundPackage,
  type FrameworkLocator,
} from '../../../cli/doctor/serverless-framework';

const locator = (
  local: FoundPackage[] = [],
  global: Record<string, FoundPackage> = {},
): FrameworkLocator => ({
  fromWorkingDir: (name) => local.find((pkg) => pkg.name === name),
  fromPath: (bin) => global[bin],
});

test('serverless v3 from node_modules is ok', () => {
  const check = checkServerlessFramework(
    locator([{ name: 'serverless', version: '3.40.0', via: 'node_modules' }]),
  );
  expect(check).toMatchObject({ name: 'Serverless Framework', status: 'ok', required: false });
  expect(check.detail).toBe('serverless v3 (3.40.0) via node_modules');
});

test('osls on PATH is ok and named as osls', () => {
  const check = checkServerlessFramework(
    locator([], { osls: { name: 'osls', version: '4.3.1', via: 'PATH' } }),
  );
  expect(check.status).toBe('ok');
  expect(check.detail).toContain('osls 4.3.1 via PATH');
});

test('the same package found twice is listed once', () => {
  const pkg: FoundPackage = { name: 'osls', version: '4.3.1', via: 'PATH' };
  const check = checkServerlessFramework(locator([], { serverless: pkg, osls: pkg }));
  expect(check.detail).toBe('osls 4.3.1 via PATH');
});

test('v4 alone is a warning that says why and what to install', () => {
  const check = checkServerlessFramework(
    locator([], { serverless: { name: 'serverless', version: '4.4.0', via: 'PATH' } }),
  );
  expect(check.status).toBe('warn');
  expect(check.detail).toContain('Serverless Framework v4 (4.4.0)');
  expect(check.detail).toContain('osls');
});

test('none found is a warning, not a failure', () => {
  const check = checkServerlessFramework(locator());
  expect(check).toMatchObject({ status: 'warn', required: false });
  expect(check.detail).toMatch(/^not found/);
});
