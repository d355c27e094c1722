import { describe, expect, it } from 'vitest';
import { createFolderPruner, createPathFilter } from '../../../../artifact/pack/patterns';

describe('createFolderPruner', () => {
  it.each([
    // patterns, folder, pruned
    [['!**', 'fixtures/node-portable/**'], 'node_modules/dockerode', true],
    [['!**', 'fixtures/node-portable/**'], 'fixtures', false],
    [['!**', 'fixtures/node-portable/**'], 'fixtures/node-portable', false],
    [['!**', 'fixtures/node-portable/**'], 'fixtures/node-portable/lib', false],
    [['!**', 'fixtures/node-portable/**'], 'fixtures/python-aws', true],
    [['!**', 'handler.js'], 'src', true],
    [['!**', '**/*.js'], 'src', false],
    [['!**', 'src/*.js'], 'src', false],
    [['!src/**'], 'src', true],
    [['!src/**'], 'src/deep/er', true],
    [['!src/**'], 'srcs', false],
    [['!src/**', 'src/keep/**'], 'src/drop', true],
    [['!src/**', 'src/keep/**'], 'src/keep', false],
    [['src/keep/**', '!src/**'], 'src/keep', true],
    [['!**/*.test.js'], 'test', false],
    [[], '.git', true],
    [[], '.faasport/code', true],
    [[], 'src', false],
  ])('%j prunes %s: %s', (patterns, dir, pruned) => {
    expect(createFolderPruner(patterns)(dir)).toBe(pruned);
  });

  it('never prunes a folder that holds a file the path filter keeps', () => {
    const patternSets = [
      ['!**', 'fixtures/node-portable/**'],
      ['!**', '**/*.js'],
      ['!src/**', 'src/keep/**', '!src/keep/tmp/**'],
      ['!node_modules/**', 'node_modules/a/**'],
      ['!**', 'a/b/c.js'],
      ['!**/*.map'],
    ];
    const files = [
      'fixtures/node-portable/aws.js',
      'fixtures/python-aws/handler.py',
      'src/keep/a.js',
      'src/keep/tmp/b.js',
      'src/drop/c.js',
      'node_modules/a/index.js',
      'node_modules/b/index.js',
      'a/b/c.js',
      'a/b/d.js',
      'x.js.map',
    ];
    for (const patterns of patternSets) {
      const keep = createPathFilter(patterns);
      const pruned = createFolderPruner(patterns);
      for (const file of files.filter(keep)) {
        const parts = file.split('/');
        for (let depth = 1; depth < parts.length; depth++) {
          const dir = parts.slice(0, depth).join('/');
          expect(pruned(dir), `${JSON.stringify(patterns)} keeps ${file} but prunes ${dir}`).toBe(false);
        }
      }
    }
  });
});
