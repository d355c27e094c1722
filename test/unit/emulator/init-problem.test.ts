import { describe, expect, test } from 'vitest';
import { initProblem } from '../../../emulator/providers/aws/init-problem';
import { LambdaInitError } from '../../../emulator/providers/aws/runtime-api';

const problem = (document: object, codeDir = '/cache/code/abc') =>
  initProblem(
    new LambdaInitError((document as { errorType: string }).errorType, Buffer.from(JSON.stringify(document))),
    codeDir,
  );

describe('initProblem', () => {
  test("names the user's file, never the runtime's frames (Lambda's own index.mjs, or faasport's bootstrap)", () => {
    expect(
      problem({
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'index.handler is undefined or not exported',
        trace: [
          'Runtime.HandlerNotFound: index.handler is undefined or not exported',
          '    at UserFunction.js.module.exports.load (file:///var/runtime/index.mjs:1151:15)',
          '    at /opt/faasport/emulator/runtimes/aws/bootstrap.js:133:11',
        ],
      }),
    ).toEqual({
      errorType: 'Runtime.HandlerNotFound',
      message: 'index.handler is undefined or not exported',
    });
    expect(
      problem({
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'src/a.handler is undefined or not exported',
        trace: [
          'Runtime.HandlerNotFound: src/a.handler is undefined or not exported',
          '    at /cache/code/abc/src/a.js',
        ],
      }).location,
    ).toBe('src/a.js');
  });

  test('a line when there is one: a path in the code copy, in /var/task, as a file URL, or Python', () => {
    const at = (line: string) =>
      problem({ errorType: 'Error', errorMessage: 'x', trace: ['Error: x', line] }).location;
    expect(at('    at Object.<anonymous> (/cache/code/abc/a.js:2:7)')).toBe('a.js:2');
    expect(at('    at file:///var/task/lib/b.mjs:9:1')).toBe('lib/b.mjs:9');
    expect(at('  File "/var/task/h.py", line 3 (h.py, line 3)')).toBe('h.py:3');
  });
});
