import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROLE } from './aws-service';
import {
  createSlsService,
  faasportServiceYml,
  type PublishedFunctions,
  publishedFunctions,
} from './sls-service';

export const GCP_PROJECT = 'faasport-e2e';
export const GCP_REGION = 'europe-west1';

export interface GcpServiceSpec extends PublishedFunctions {
  /** Also configure the AWS target (functions choose with `targets`). */
  withAws?: boolean;
}

/** A serverless.yml whose functions deploy to Cloud Functions gen2 (and AWS when asked). */
export function gcpServiceYml(spec: GcpServiceSpec): string {
  return faasportServiceYml(
    spec.service,
    {
      memorySize: 256,
      timeout: 10,
      targets: {
        gcp: { project: GCP_PROJECT, region: GCP_REGION },
        ...(spec.withAws ? { aws: { region: 'us-east-1', role: ROLE } } : {}),
      },
    },
    publishedFunctions(spec, (name) => `fn/${name}.${name}`, ['gcp']),
  );
}

/** A service folder with the plugin linked, and one functions-framework handler per function. */
export function createGcpService(spec: GcpServiceSpec) {
  return createSlsService(spec, gcpServiceYml, spec.functions, writeGcpHandler);
}

/** `exports.<name>`: an HTTP function for GCP, and a Lambda-style handler would ignore the shape. */
export function writeGcpHandler(dir: string, name: string, version: number): void {
  writeFileSync(
    join(dir, 'fn', `${name}.js`),
    `exports.${name} = (req, res) => res.json({ fn: ${JSON.stringify(name)}, version: ${version} });\n`,
  );
}
