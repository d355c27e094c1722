import { describe, expect, test } from 'vitest';
import { checkRegistry, type Fetch, registryBaseUrl } from '../../../cli/doctor/registry';
import { UserError } from '../../../common/errors';

describe('registryBaseUrl', () => {
  test.each([
    ['127.0.0.1:5000', 'http://127.0.0.1:5000/v2/'],
    ['localhost:5000', 'http://localhost:5000/v2/'],
    ['[::1]:5000', 'http://[::1]:5000/v2/'],
    ['http://127.0.0.2:5000/', 'http://127.0.0.2:5000/v2/'],
    ['ghcr.io', 'https://ghcr.io/v2/'],
    ['registry.example.com:8443', 'https://registry.example.com:8443/v2/'],
    ['https://127.0.0.1:5000', 'https://127.0.0.1:5000/v2/'],
  ])('%s → %s', (input, url) => {
    expect(registryBaseUrl(input).href).toBe(url);
  });

  test.each([
    ['http://example.com', /loopback hosts only/],
    ['ghcr.io/owner/repo', /not a registry host/],
    ['', /not a registry host/],
    ['user@host:5000', /not a registry host/],
  ])('refuses %j as a usage error', (input, message) => {
    let caught: unknown;
    try {
      registryBaseUrl(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).message).toMatch(message);
    expect((caught as UserError).exitCode).toBe(2);
  });
});

describe('checkRegistry', () => {
  const answering =
    (status: number): Fetch =>
    async () => ({ status });

  test.each([200, 401])('HTTP %i on GET /v2/ means reachable', async (status) => {
    const urls: string[] = [];
    const fetchImpl: Fetch = async (url) => {
      urls.push(url);
      return { status };
    };
    const check = await checkRegistry('127.0.0.1:5000', fetchImpl);
    expect(urls).toEqual(['http://127.0.0.1:5000/v2/']);
    expect(check).toMatchObject({ name: 'registry 127.0.0.1:5000', status: 'ok', required: true });
    expect(check.detail).toContain(`HTTP ${status}`);
  });

  test('any other answer is not a registry', async () => {
    const check = await checkRegistry('127.0.0.1:8080', answering(404));
    expect(check).toMatchObject({ status: 'missing', required: true });
    expect(check.detail).toContain('HTTP 404');
  });

  test('a connection failure is missing, with the cause and the script to run', async () => {
    const refused: Fetch = async () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
      });
    };
    const check = await checkRegistry('127.0.0.1:5999', refused);
    expect(check).toMatchObject({ name: 'registry 127.0.0.1:5999', status: 'missing', required: true });
    expect(check.detail).toContain('ECONNREFUSED');
    expect(check.detail).toContain('scripts/services.sh start');
  });
});
