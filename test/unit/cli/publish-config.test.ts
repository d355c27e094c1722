import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { publish } from '../../../cli/commands/publish';
import { loadService } from '../../../common/service/load-service';
import { tempDir } from '../../helpers/temp-dir';

/** A service whose only sourceArtifact is built from variables that `faasport emulate -c` resolves. */
async function serviceWithVariables(): Promise<string> {
  const dir = await tempDir();
  await writeFile(join(dir, 'handler.js'), 'exports.handler = async () => "hello";\n');
  // The variables are serverless.yml syntax, written in a template literal with `\${`.
  const yaml = `service: vars
custom:
  store: build/store
provider:
  name: faasport
  stage: \${opt:stage, 'dev'}
package:
  patterns: ["!serverless.yml"]
functions:
  hello:
    handler: handler.handler
    sourceArtifact: oci:\${self:custom.store}:\${env:FAASPORT_TEST_TAG, 'latest'}-\${sls:stage}
`;
  await writeFile(join(dir, 'serverless.yml'), yaml);
  return join(dir, 'serverless.yml');
}

/** Runs `faasport publish` in-process and returns the --json object it printed. */
async function publishJson(
  args: string[],
): Promise<{ functions: Array<{ function: string; reference: string }> }> {
  let printed = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    printed += String(chunk);
    return true;
  });
  try {
    expect(await publish.run([...args, '--json'])).toBe(0);
  } finally {
    write.mockRestore();
  }
  return JSON.parse(printed);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('faasport publish -c reads serverless.yml as faasport emulate -c does', () => {
  it('resolves self:, opt:stage with a fallback, env: and sls:stage variables in sourceArtifact', async () => {
    const config = await serviceWithVariables();
    vi.stubEnv('FAASPORT_TEST_TAG', 'v2');
    const emulated = await loadService(config);
    expect(emulated.functions[0]?.sourceArtifact.aws).toBe('oci:build/store:v2-dev');

    const published = await publishJson(['-c', config]);
    expect(published.functions.map((fn) => [fn.function, fn.reference.split('@')[0]])).toEqual([
      ['hello', 'oci:build/store:v2-dev'],
    ]);
  });

  it('takes --stage as emulate does', async () => {
    const config = await serviceWithVariables();
    const emulated = await loadService(config, { stage: 'prod' });
    expect(emulated.functions[0]?.sourceArtifact.aws).toBe('oci:build/store:latest-prod');

    const published = await publishJson(['-c', config, '--stage', 'prod']);
    expect(published.functions.map((fn) => fn.reference.split('@')[0])).toEqual([
      'oci:build/store:latest-prod',
    ]);
  });
});
