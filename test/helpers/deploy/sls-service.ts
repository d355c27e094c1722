import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type ServiceDir, serviceDir } from '../sls/framework-cli';

/** What every e2e service names: its functions, each published to `<prefix>-<function>:v1`. */
export interface PublishedFunctions {
  service: string;
  /** `<registry>/<repository prefix>`: function `a` publishes to `<prefix>-a:v1`. */
  repositoryPrefix: string;
  functions: string[];
  /** Extra fields per function (memorySize, environment, events, targets, …). */
  settings?: Record<string, Record<string, unknown>>;
}

/**
 * `functions:` of a service whose functions each publish `fn/<name>.js` to their own repository:
 * the handler `handlerOf(name)`, the targets given, then the spec's own settings.
 */
export function publishedFunctions(
  spec: PublishedFunctions,
  handlerOf: (name: string) => string,
  targets?: string[],
): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    spec.functions.map((name) => [
      name,
      {
        handler: handlerOf(name),
        sourceArtifact: `${spec.repositoryPrefix}-${name.toLowerCase()}:v1`,
        package: { patterns: ['!**', `fn/${name}.js`] },
        ...(targets ? { targets } : {}),
        ...(spec.settings?.[name] ?? {}),
      },
    ]),
  );
}

/** serverless.yml of a faasport service (stage dev, strict validation, the plugin by name). */
export function faasportServiceYml(
  service: string,
  provider: Record<string, unknown>,
  functions: Record<string, Record<string, unknown>>,
): string {
  return stringify({
    service,
    configValidationMode: 'error',
    plugins: ['serverless-faasport'],
    provider: { name: 'faasport', stage: 'dev', runtime: 'nodejs22.x', ...provider },
    functions,
  });
}

/** A service folder with the plugin linked; `write` replaces its serverless.yml with another spec's. */
export interface SlsService<Spec> extends ServiceDir {
  write(next: Spec): void;
}

/** A service folder for `spec` with the plugin linked and `writeHandler(dir, name, 1)` per handler. */
export function createSlsService<Spec>(
  spec: Spec,
  ymlOf: (spec: Spec) => string,
  handlers: string[],
  writeHandler: (dir: string, name: string, version: number) => void,
): SlsService<Spec> {
  const created = serviceDir(ymlOf(spec));
  mkdirSync(join(created.dir, 'fn'));
  for (const name of handlers) writeHandler(created.dir, name, 1);
  return {
    ...created,
    write(next: Spec) {
      writeFileSync(join(created.dir, 'serverless.yml'), ymlOf(next));
    },
  };
}
