import { describe, expect, test } from 'vitest';
import { faasportBin } from '../../helpers/emulate-cli';
import { run } from '../../helpers/run';
import { FRAMEWORKS, runFramework, serviceDir, useScratchDir } from '../../helpers/sls/framework-cli';

// A user's serverless.yml with two typos, and no configValidationMode (the framework's default
// only warns): every command that would serve or call anything refuses it first, with the path
// of the field and the name meant — never a stack trace, never a silently dropped route.
const TYPO_HANDLER = `service: typos
plugins:
  - serverless-faasport
provider:
  name: faasport
  runtime: nodejs22.x
  targets:
    aws: { region: us-east-1 }
functions:
  hello:
    handlr: handler.hello
    events:
      - httpApi: GET /hello
`;
const TYPO_EVENT = TYPO_HANDLER.replace('handlr:', 'handler:').replace('httpApi:', 'httpapi:');

const scratch = useScratchDir();

const expectations = [
  [TYPO_HANDLER, 'functions.hello.handlr: unknown function setting "handlr" — did you mean "handler"?'],
  [TYPO_EVENT, 'functions.hello.events[0].httpapi: unknown event type "httpapi" — did you mean "httpApi"?'],
] as const;

describe.each(FRAMEWORKS)('%s refuses typos before serving or deploying', (name, _id, cli) => {
  test.each(expectations)('sls emulate and sls deploy --dry-run (%#)', async (yml, message) => {
    const service = serviceDir(yml);
    try {
      for (const args of [
        ['emulate', '--port', '0', '--lambda-port', '0'],
        ['deploy', '--dry-run'],
      ]) {
        const result = await runFramework(cli(), service.dir, args, scratch.dir);
        expect(result.code, result.output).not.toBe(0);
        // serverless@3 only warns about its schema (configValidationMode: warn), so faasport refuses;
        // osls refuses first, with its own message naming the field.
        if (name === 'osls')
          expect(result.output).toMatch(/Configuration error at 'functions\.hello(\.events\.0)?'/);
        else expect(result.output).toContain(message);
        expect(result.output).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
      }
    } finally {
      service.remove();
    }
  });
});

describe('faasport emulate refuses typos before serving', () => {
  test.each(expectations)('exit 2 with the path and the name meant (%#)', async (yml, message) => {
    const service = serviceDir(yml, { linkPlugin: false });
    try {
      const result = await run(
        process.execPath,
        [faasportBin, 'emulate', '--port', '0', '--lambda-port', '0'],
        {
          cwd: service.dir,
          timeoutMs: 60_000,
        },
      );
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stdout).not.toContain('Ctrl-C stops everything');
      expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    } finally {
      service.remove();
    }
  });
});
