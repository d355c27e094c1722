import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createSlsService,
  faasportServiceYml,
  type PublishedFunctions,
  publishedFunctions,
} from './sls-service';

export const ROLE = 'arn:aws:iam::000000000000:role/faasport-e2e';

export interface ServiceSpec extends PublishedFunctions {
  awsTarget?: Record<string, unknown>;
}

export function serviceYml(spec: ServiceSpec): string {
  return faasportServiceYml(
    spec.service,
    {
      memorySize: 256,
      timeout: 10,
      targets: { aws: { region: 'us-east-1', role: ROLE, ...(spec.awsTarget ?? {}) } },
    },
    publishedFunctions(spec, (name) => `fn/${name}.handler`),
  );
}

/** A service folder with the plugin linked, and one handler file per function. */
export function createService(spec: ServiceSpec) {
  return createSlsService(spec, serviceYml, spec.functions, writeHandler);
}

export function writeHandler(dir: string, name: string, version: number): void {
  writeFileSync(
    join(dir, 'fn', `${name}.js`),
    `exports.handler = async (event) => ({ fn: ${JSON.stringify(name)}, version: ${version}, event });\n`,
  );
}
