import { describe, expect, test } from 'vitest';
import { parseEmulateArgs } from '../../../emulator/serve-options';

describe('faasport emulate --cloud-port', () => {
  test('absent: the planes take any free ports (0)', () => {
    expect(parseEmulateArgs(['--cloud']).cloudPort).toBe(0);
  });

  test('a port: the first of four consecutive ones', () => {
    expect(parseEmulateArgs(['--cloud', '--cloud-port', '4566']).cloudPort).toBe(4566);
    expect(() => parseEmulateArgs(['--cloud', '--cloud-port', '65534'])).toThrow(/4 consecutive ports/);
    expect(() => parseEmulateArgs(['--cloud', '--cloud-port', 'x'])).toThrow(/whole number/);
  });

  test('without --cloud it is a usage error, not silently ignored', () => {
    expect(() => parseEmulateArgs(['--cloud-port', '4566'])).toThrow(/add --cloud/);
  });
});
