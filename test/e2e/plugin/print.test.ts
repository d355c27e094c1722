import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import {
  FRAMEWORKS,
  repoRoot,
  runFramework,
  type ServiceDir,
  serviceDir,
  useScratchDir,
} from '../../helpers/sls/framework-cli';

const example = readFileSync(join(repoRoot, 'serverless.example.yml'), 'utf8');
const variantsDir = join(repoRoot, 'fixtures', 'services');
const invalid = readdirSync(variantsDir)
  .filter((name) => name.startsWith('invalid-') && name.endsWith('.yml'))
  .map((name) => {
    const text = readFileSync(join(variantsDir, name), 'utf8');
    const path = /^# expect-error-at: (\S+)$/m.exec(text)?.[1];
    if (!path) throw new Error(`fixtures/services/${name} has no "# expect-error-at:" line`);
    return { name, text, path };
  });

type Printed = {
  provider: { name: string };
  functions: Record<string, { name: string; sourceArtifact: unknown; targets?: string[] }>;
};

const scratch = useScratchDir();
const run = (cli: string, dir: string, args: string[]) => runFramework(cli, dir, args, scratch.dir);

describe.each(FRAMEWORKS)('%s print', (_framework, _id, cli) => {
  const dirs: ServiceDir[] = [];
  const service = (yml: string, options?: { linkPlugin?: boolean }) => {
    const created = serviceDir(yml, options);
    dirs.push(created);
    return created.dir;
  };
  afterAll(() => {
    for (const dir of dirs) dir.remove();
  });

  test('loads the plugin by name and prints serverless.example.yml with its functions', async () => {
    const result = await run(cli(), service(example), ['print']);
    expect(result.code, result.output).toBe(0);
    const printed = parse(result.stdout) as Printed;
    expect(printed.provider.name).toBe('faasport');
    expect(Object.keys(printed.functions).sort()).toEqual(['hello', 'helloEvent', 'pyhello']);
    expect(printed.functions.hello?.name).toBe('faasport-example-dev-hello');
    expect(printed.functions.hello?.targets).toEqual(['aws', 'azure', 'gcp']);
    expect(printed.functions.pyhello?.sourceArtifact).toEqual({ aws: 'oci:.faasport/store:pyhello' });
  });

  test('names functions <service>-<stage>-<function> for the --stage given', async () => {
    const result = await run(cli(), service(example), ['print', '--stage', 'prod']);
    expect(result.code, result.output).toBe(0);
    const printed = parse(result.stdout) as Printed;
    expect(printed.functions.helloEvent?.name).toBe('faasport-example-prod-helloEvent');
  });

  test('without the package installed in the service, the plugin is not found', async () => {
    const result = await run(cli(), service(example, { linkPlugin: false }), ['print']);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('"serverless-faasport" not found');
  });

  test.concurrent.each(invalid)('rejects $name, naming $path', async ({ text, path }) => {
    const result = await run(cli(), service(text), ['print']);
    expect(result.code, result.output).not.toBe(0);
    expect(result.output).toContain(`Configuration error at '${path}'`);
  });
});
