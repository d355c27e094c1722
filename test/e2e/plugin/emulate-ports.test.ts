import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { freePort } from '../../helpers/ports';
import { FRAMEWORKS, type ServiceDir, serviceDir, useScratchDir } from '../../helpers/sls/framework-cli';
import { bannerPrinted, startEmulating } from './emulate-process';

const SERVICE = `service: e2eports
configValidationMode: error
plugins:
  - serverless-faasport
provider:
  name: faasport
  stage: dev
  runtime: nodejs22.x
  targets:
    gcp:
      project: faasport-test
      region: europe-west1
    azure:
      location: westeurope
functions:
  hello:
    handler: gcp.hello
    targets: [gcp]
  azhello:
    handler: azure.handler
    targets: [azure]
    azure:
      entryPoint: azure.js
`;

const GCP_CODE = `exports.hello = (req, res) => res.json({ provider: 'gcp', service: process.env.K_SERVICE });\n`;
const AZURE_CODE = `const { app } = require('@azure/functions');
app.http('azhello', { methods: ['GET'], handler: async () => ({ jsonBody: { provider: 'azure' } }) });
`;

const scratch = useScratchDir();

describe.each(FRAMEWORKS)('%s emulate', (_framework, _id, cli) => {
  const dirs: ServiceDir[] = [];
  afterAll(() => {
    for (const dir of dirs) dir.remove();
  });

  test('--gcp-port and --azure-port serve the GCP and Azure functions on those ports', async () => {
    const service = serviceDir(SERVICE);
    dirs.push(service);
    writeFileSync(join(service.dir, 'gcp.js'), GCP_CODE);
    writeFileSync(join(service.dir, 'azure.js'), AZURE_CODE);
    // functions-framework loads the package's main, as Cloud Functions does.
    writeFileSync(join(service.dir, 'package.json'), JSON.stringify({ name: 'e2eports', main: 'gcp.js' }));
    const [port, lambdaPort, gcpPort, azurePort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const emulating = startEmulating(
      cli(),
      service.dir,
      [
        'emulate',
        ...['--engine', 'process', '--port', String(port), '--lambda-port', String(lambdaPort)],
        ...['--gcp-port', String(gcpPort), '--azure-port', String(azurePort)],
      ],
      scratch.dir,
    );
    try {
      await bannerPrinted(emulating);
      expect(emulating.output()).toContain(`Google Cloud Functions: http://127.0.0.1:${gcpPort}/<function>`);

      const gcp = await fetch(`http://127.0.0.1:${gcpPort}/e2eports-dev-hello`);
      expect(gcp.status, emulating.output()).toBe(200);
      expect(await gcp.json()).toEqual({ provider: 'gcp', service: 'e2eports-dev-hello' });
      expect(gcp.headers.get('x-faasport-cold')).toBe('true');

      const azure = await fetch(`http://127.0.0.1:${azurePort}/api/azhello`);
      expect(azure.status, emulating.output()).toBe(200);
      expect(await azure.json()).toEqual({ provider: 'azure' });
    } finally {
      await emulating.stop();
    }
  });
});
