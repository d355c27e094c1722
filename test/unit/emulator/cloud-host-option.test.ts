import { describe, expect, test } from 'vitest';
import { exposedPlanesWarning } from '../../../emulator/serve';
import { parseEmulateArgs } from '../../../emulator/serve-options';

describe('faasport emulate --cloud-host', () => {
  test('--host 0.0.0.0 exposes the emulator, never the control planes', () => {
    const args = parseEmulateArgs(['--cloud', '--host', '0.0.0.0']);
    expect(args.host).toBe('0.0.0.0');
    expect(args.cloudHost).toBe('127.0.0.1');
  });

  test('the planes move only when asked, with a warning that says what that allows', () => {
    expect(parseEmulateArgs(['--cloud', '--cloud-host', '0.0.0.0']).cloudHost).toBe('0.0.0.0');
    expect(exposedPlanesWarning('0.0.0.0')).toMatch(
      /^faasport: warning: .*0\.0\.0\.0.*deploy and run code as you/,
    );
  });

  test('without --cloud, or empty, it is a usage error', () => {
    expect(() => parseEmulateArgs(['--cloud-host', '0.0.0.0'])).toThrow(/add --cloud/);
    expect(() => parseEmulateArgs(['--cloud', '--cloud-host', ' '])).toThrow(/needs an address/);
  });
});
