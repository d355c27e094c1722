import { describe, expect, it } from 'vitest';
import { offlineSettingsArgs } from '../../../plugin/commands/offline-settings';

describe('custom.serverless-offline taken over by sls emulate', () => {
  it('turns settings with an equivalent into flags and names the others', () => {
    const { argv, unsupported } = offlineSettingsArgs(
      {
        httpPort: 4000,
        lambdaPort: '4002',
        host: '127.0.0.2',
        useDocker: true,
        dockerNetwork: 'app',
        reloadHandler: true,
        noTimeout: true,
        prefix: 'api',
      },
      () => false,
    );
    expect(argv).toEqual([
      '--port=4000',
      '--lambda-port=4002',
      '--host=127.0.0.2',
      '--engine=docker',
      '--docker-network=app',
    ]);
    expect(unsupported).toEqual(['noTimeout', 'prefix']);
  });

  it('lets the command line win, and takes useDocker: false as no setting', () => {
    const given = new Set(['port', 'engine']);
    const { argv } = offlineSettingsArgs({ httpPort: 4000, useDocker: true, albPort: 4003 }, (o) =>
      given.has(o),
    );
    expect(argv).toEqual(['--alb-port=4003']);
    expect(offlineSettingsArgs({ useDocker: false }, () => false).argv).toEqual([]);
    expect(offlineSettingsArgs(undefined, () => false)).toEqual({ argv: [], unsupported: [] });
  });
});
