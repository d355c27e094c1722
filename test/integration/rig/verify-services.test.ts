import { expect, test } from 'vitest';
import { freePort } from '../../helpers/ports';
import { services } from '../../helpers/services';
import { verifyServices } from '../../setup/verify-services';

test('the global setup check names each missing piece and the script that provides it', async () => {
  const real = services();
  await expect(verifyServices(real)).resolves.toBeUndefined();

  const closedPort = await freePort();
  const broken = {
    ...real,
    docker: { ...real.docker, socketPath: `${real.stateDir}/no-such-docker.sock`, host: 'unix:///nowhere' },
    registry: { host: `127.0.0.1:${closedPort}` },
    runtimeImages: { ...real.runtimeImages, nodejs99: 'faasport/runtime-nodejs:99' },
    frameworks: { ...real.frameworks, osls: `${real.stateDir}/no-such-osls.js` },
  };
  const failure = verifyServices(broken);
  await expect(failure).rejects.toThrow(
    new RegExp(
      `Docker engine did not answer on ${real.stateDir}/no-such-docker.sock .*bash scripts/services.sh start`,
    ),
  );
  await expect(failure).rejects.toThrow(
    new RegExp(
      `plain OCI registry did not answer on http://127.0.0.1:${closedPort}/v2/ .*bash scripts/services.sh start`,
    ),
  );
  await expect(failure).rejects.toThrow(
    /runtime image faasport\/runtime-nodejs:99 is missing .*bash scripts\/runtime-images.sh/,
  );
  await expect(failure).rejects.toThrow(
    /osls CLI not found at .*no-such-osls.js .*bash scripts\/frameworks.sh install/,
  );
  // What is there is not reported.
  await expect(failure).rejects.not.toThrow(/basic-auth OCI registry|skopeo|serverless@3/);
});
