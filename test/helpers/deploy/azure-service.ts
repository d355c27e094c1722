import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { serviceDir } from '../plugin/framework-cli';
import { ROLE, writeHandler } from './deploy-service';

export const AZURE_PLAN =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-e2e/providers/Microsoft.Web/serverfarms/premium-e2e';

export interface AzureServiceSpec {
  service: string;
  /** `<registry>/<repository prefix>`: function `a` publishes to `<prefix>-a:v1`. */
  repositoryPrefix: string;
  functions: string[];
  /** Functions deployed from an image reference (not published by `sls publish`). */
  images?: Record<string, string>;
  /** Also deploy every function to the local Lambda plane. */
  alsoAws?: boolean;
  settings?: Record<string, Record<string, unknown>>;
}

/** serverless.yml of a service whose functions deploy to Azure Functions (and AWS, if asked). */
export function azureServiceYml(spec: AzureServiceSpec): string {
  const targets = spec.alsoAws ? ['azure', 'aws'] : ['azure'];
  const functions = Object.fromEntries([
    ...spec.functions.map((name) => [
      name,
      {
        handler: `fn/${name}.handler`,
        sourceArtifact: `${spec.repositoryPrefix}-${name.toLowerCase()}:v1`,
        package: { patterns: ['!**', `fn/${name}.js`] },
        targets,
        ...(spec.settings?.[name] ?? {}),
      },
    ]),
    ...Object.entries(spec.images ?? {}).map(([name, reference]) => [
      name,
      { sourceArtifact: reference, packageType: 'image', targets: ['azure'] },
    ]),
  ]);
  return stringify({
    service: spec.service,
    configValidationMode: 'error',
    plugins: ['serverless-faasport'],
    provider: {
      name: 'faasport',
      stage: 'dev',
      runtime: 'nodejs22.x',
      targets: {
        azure: {
          location: 'westeurope',
          resourceGroup: 'rg-e2e',
          plan: { sku: 'premium', id: AZURE_PLAN },
        },
        ...(spec.alsoAws ? { aws: { region: 'us-east-1', role: ROLE } } : {}),
      },
    },
    functions,
  });
}

/** A service folder with the plugin linked and one handler file per zip function. */
export function createAzureService(spec: AzureServiceSpec) {
  const created = serviceDir(azureServiceYml(spec));
  mkdirSync(join(created.dir, 'fn'));
  for (const name of spec.functions) writeHandler(created.dir, name, 1);
  return {
    ...created,
    write(next: AzureServiceSpec) {
      writeFileSync(join(created.dir, 'serverless.yml'), azureServiceYml(next));
    },
  };
}
