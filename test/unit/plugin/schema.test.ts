import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { type Config, useScratchSchemaCache, validateWithFramework } from './framework-validator';

const repo = join(__dirname, '..', '..', '..');
const servicesDir = join(repo, 'fixtures', 'services');
const load = (path: string) => parse(readFileSync(path, 'utf8')) as Config;

let restoreSchemaCache: () => void;
beforeAll(() => {
  restoreSchemaCache = useScratchSchemaCache();
});
afterAll(() => restoreSchemaCache());

const variants = readdirSync(servicesDir).filter((name) => name.endsWith('.yml'));

describe('the faasport schema, validated by serverless@3', () => {
  test('accepts serverless.example.yml', async () => {
    await expect(validateWithFramework(load(join(repo, 'serverless.example.yml')))).resolves.toBeUndefined();
  });

  test.each(variants.filter((name) => name.startsWith('valid-')))(
    'accepts fixtures/services/%s',
    async (name) => {
      await expect(validateWithFramework(load(join(servicesDir, name)))).resolves.toBeUndefined();
    },
  );

  const invalid = variants.filter((name) => name.startsWith('invalid-'));
  test('has invalid variants to check', () => {
    expect(invalid.length).toBeGreaterThanOrEqual(5);
  });

  test.each(invalid)('rejects fixtures/services/%s at the path it declares', async (name) => {
    const text = readFileSync(join(servicesDir, name), 'utf8');
    const path = /^# expect-error-at: (\S+)$/m.exec(text)?.[1];
    expect(path, `${name} needs an "# expect-error-at:" line`).toBeDefined();
    await expect(validateWithFramework(parse(text) as Config)).rejects.toThrow(`at '${path}'`);
  });
});

describe('targeted mistakes', () => {
  const base = (): Config => ({
    service: 'faasport-unit',
    configValidationMode: 'error',
    provider: { name: 'faasport' },
    functions: { hello: { handler: 'aws.handler', sourceArtifact: '127.0.0.1:5000/unit/hello:1' } },
  });
  const withFunction = (fields: Record<string, unknown>): Config => {
    const config = base();
    config.functions = { hello: { handler: 'aws.handler', ...fields } };
    return config;
  };

  test.each([
    ['a misspelt function field', withFunction({ memmorySize: 256 }), "at 'functions.hello'", 'memmorySize'],
    [
      'a memory size below 128',
      withFunction({ memorySize: 64 }),
      "at 'functions.hello.memorySize'",
      '>= 128',
    ],
    [
      'a runtime in no known form',
      withFunction({ runtime: 'nodejs22' }),
      "at 'functions.hello.runtime'",
      'pattern',
    ],
    ['an empty targets list', withFunction({ targets: [] }), "at 'functions.hello.targets'", ''],
    [
      'a repeated target',
      withFunction({ targets: ['aws', 'aws'] }),
      "at 'functions.hello.targets'",
      'duplicate',
    ],
    [
      'an environment name that is no variable name',
      withFunction({ environment: { '1BAD': 'x' } }),
      "at 'functions.hello.environment'",
      '1BAD',
    ],
    [
      'a reference with a space',
      withFunction({ sourceArtifact: 'a b' }),
      "at 'functions.hello.sourceArtifact'",
      '',
    ],
    [
      'an empty per-target artefact map',
      withFunction({ sourceArtifact: {} }),
      "at 'functions.hello.sourceArtifact'",
      '',
    ],
    [
      'a handler in the GCP override (GCP takes entryPoint)',
      withFunction({ gcp: { handler: 'x.y' } }),
      "at 'functions.hello.gcp'",
      'handler',
    ],
    [
      'an http event without a path',
      withFunction({ events: [{ http: { method: 'GET' } }] }),
      "at 'functions.hello.events.0.http'",
      "required property 'path'",
    ],
    [
      'an event the provider does not know',
      withFunction({ events: [{ iot: { sql: "SELECT * FROM 'topic'" } }] }),
      "at 'functions.hello.events.0'",
      '',
    ],
  ])('rejects %s', async (_what, config, path, detail) => {
    const error = await validateWithFramework(config).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain(path);
    expect(error?.message).toContain(detail);
  });

  test('rejects a misspelt provider field', async () => {
    const config = base();
    config.provider = { name: 'faasport', targetz: { aws: {} } } as Config['provider'];
    await expect(validateWithFramework(config)).rejects.toThrow(/at 'provider'.*targetz/);
  });

  test('rejects an unknown target under provider.targets', async () => {
    const config = base();
    config.provider = { name: 'faasport', targets: { oracle: {} } } as Config['provider'];
    await expect(validateWithFramework(config)).rejects.toThrow(/at 'provider.targets'.*oracle/);
  });

  test('accepts both packageType values and an image without a handler', async () => {
    await expect(validateWithFramework(withFunction({ packageType: 'zip' }))).resolves.toBeUndefined();
    const image = base();
    image.functions = {
      img: { sourceArtifact: '127.0.0.1:5000/unit/img:1', packageType: 'image', targets: ['aws'] },
    };
    await expect(validateWithFramework(image)).resolves.toBeUndefined();
  });

  test('asynchronous invocation settings in the forms the framework takes; others refused', async () => {
    const accepted = withFunction({
      maximumRetryAttempts: 0,
      maximumEventAge: 3600,
      destinations: {
        onSuccess: 'arn:aws:lambda:us-east-1:123456789012:function:audit',
        onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['DeadLetters', 'Arn'] } },
      },
    });
    await expect(validateWithFramework(accepted)).resolves.toBeUndefined();
    await expect(validateWithFramework(withFunction({ maximumRetryAttempts: 3 }))).rejects.toThrow(
      "at 'functions.hello.maximumRetryAttempts'",
    );
    // The framework's object form takes a CloudFormation reference, not an ARN string.
    await expect(
      validateWithFramework(
        withFunction({ destinations: { onFailure: { type: 'sqs', arn: 'arn:aws:sqs:us-east-1:1:q' } } }),
      ),
    ).rejects.toThrow("at 'functions.hello.destinations.onFailure.arn': must be object");
  });
});
