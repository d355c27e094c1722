import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { serviceDir } from '../plugin/framework-cli';

export const ROLE = 'arn:aws:iam::000000000000:role/faasport-e2e';

export interface ServiceSpec {
  service: string;
  /** `<registry>/<repository prefix>`: function `a` publishes to `<prefix>-a:v1`. */
  repositoryPrefix: string;
  functions: string[];
  /** Extra fields per function (memorySize, environment, …). */
  settings?: Record<string, Record<string, unknown>>;
  awsTarget?: Record<string, unknown>;
}

export function serviceYml(spec: ServiceSpec): string {
  const functions = Object.fromEntries(
    spec.functions.map((name) => [
      name,
      {
        handler: `fn/${name}.handler`,
        sourceArtifact: `${spec.repositoryPrefix}-${name.toLowerCase()}:v1`,
        package: { patterns: ['!**', `fn/${name}.js`] },
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
      targets: { aws: { region: 'us-east-1', role: ROLE, ...(spec.awsTarget ?? {}) } },
    },
    functions,
  });
}

/** A service folder with the plugin linked, and one handler file per function. */
export function createService(spec: ServiceSpec) {
  const created = serviceDir(serviceYml(spec));
  mkdirSync(join(created.dir, 'fn'));
  for (const name of spec.functions) writeHandler(created.dir, name, 1);
  return {
    ...created,
    write(next: ServiceSpec) {
      writeFileSync(join(created.dir, 'serverless.yml'), serviceYml(next));
    },
  };
}

export function writeHandler(dir: string, name: string, version: number): void {
  writeFileSync(
    join(dir, 'fn', `${name}.js`),
    `exports.handler = async (event) => ({ fn: ${JSON.stringify(name)}, version: ${version}, event });\n`,
  );
}
