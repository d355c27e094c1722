import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { serviceDir } from '../plugin/framework-cli';

export const GCP_PROJECT = 'faasport-e2e';
export const GCP_REGION = 'europe-west1';
const ROLE = 'arn:aws:iam::000000000000:role/faasport-e2e';

export interface GcpServiceSpec {
  service: string;
  /** `<registry>/<repository prefix>`: function `a` publishes to `<prefix>-a:v1`. */
  repositoryPrefix: string;
  functions: string[];
  /** Extra fields per function (memorySize, events, targets, …). */
  settings?: Record<string, Record<string, unknown>>;
  /** Also configure the AWS target (functions choose with `targets`). */
  withAws?: boolean;
}

/** A serverless.yml whose functions deploy to Cloud Functions gen2 (and AWS when asked). */
export function gcpServiceYml(spec: GcpServiceSpec): string {
  const functions = Object.fromEntries(
    spec.functions.map((name) => [
      name,
      {
        handler: `fn/${name}.${name}`,
        sourceArtifact: `${spec.repositoryPrefix}-${name.toLowerCase()}:v1`,
        package: { patterns: ['!**', `fn/${name}.js`] },
        targets: ['gcp'],
        ...(spec.settings?.[name] ?? {}),
      },
    ]),
  );
  return stringify({
    service: spec.service,
    configValidationMode: 'error',
    plugins: ['serverless-faasport'],
    provider: {
      name: 'faasport',
      stage: 'dev',
      runtime: 'nodejs22.x',
      memorySize: 256,
      timeout: 10,
      targets: {
        gcp: { project: GCP_PROJECT, region: GCP_REGION },
        ...(spec.withAws ? { aws: { region: 'us-east-1', role: ROLE } } : {}),
      },
    },
    functions,
  });
}

/** A service folder with the plugin linked, and one functions-framework handler per function. */
export function createGcpService(spec: GcpServiceSpec) {
  const created = serviceDir(gcpServiceYml(spec));
  mkdirSync(join(created.dir, 'fn'));
  for (const name of spec.functions) writeGcpHandler(created.dir, name, 1);
  return {
    ...created,
    write(next: GcpServiceSpec) {
      writeFileSync(join(created.dir, 'serverless.yml'), gcpServiceYml(next));
    },
  };
}

/** `exports.<name>`: an HTTP function for GCP, and a Lambda-style handler would ignore the shape. */
export function writeGcpHandler(dir: string, name: string, version: number): void {
  writeFileSync(
    join(dir, 'fn', `${name}.js`),
    `exports.${name} = (req, res) => res.json({ fn: ${JSON.stringify(name)}, version: ${version} });\n`,
  );
}
