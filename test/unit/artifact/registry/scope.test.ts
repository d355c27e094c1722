import { describe, expect, test } from 'vitest';
import {
  coversScopes,
  mergeScopes,
  parseScope,
  repositoryScope,
  splitScopes,
} from '../../../../artifact/registry/scope';

describe('scopes', () => {
  test('repository scopes list actions sorted', () => {
    expect(repositoryScope('team/fn', ['pull'])).toBe('repository:team/fn:pull');
    expect(repositoryScope('team/fn', ['push', 'pull'])).toBe('repository:team/fn:pull,push');
  });

  test('names with host:port parse: the type ends at the first colon, actions start after the last', () => {
    expect(parseScope('repository:localhost:5000/team/fn:pull,push')).toEqual({
      type: 'repository',
      name: 'localhost:5000/team/fn',
      actions: ['pull', 'push'],
    });
    expect(parseScope('registry:catalog:*')).toEqual({ type: 'registry', name: 'catalog', actions: ['*'] });
    expect(parseScope('nonsense')).toBeUndefined();
  });

  test('a challenge scope holds several space-separated scopes', () => {
    expect(splitScopes('repository:a:pull  repository:b:push')).toEqual([
      'repository:a:pull',
      'repository:b:push',
    ]);
    expect(splitScopes(undefined)).toEqual([]);
  });

  test('merging unions actions per resource and is order-independent', () => {
    const merged = mergeScopes(
      ['repository:a:pull', 'repository:b:pull'],
      ['repository:a:push', 'repository:a:pull'],
    );
    expect(merged).toEqual(['repository:a:pull,push', 'repository:b:pull']);
    expect(mergeScopes(['repository:b:pull'], ['repository:a:push,pull'])).toEqual(
      mergeScopes(['repository:a:pull,push', 'repository:b:pull']),
    );
  });

  test('coverage: pull,push covers pull; pull does not cover push; * covers all', () => {
    expect(coversScopes(['repository:a:pull,push'], ['repository:a:pull'])).toBe(true);
    expect(coversScopes(['repository:a:pull'], ['repository:a:pull,push'])).toBe(false);
    expect(coversScopes(['repository:a:pull'], ['repository:b:pull'])).toBe(false);
    expect(coversScopes(['repository:a:*'], ['repository:a:pull,push,delete'])).toBe(true);
    expect(
      coversScopes(
        ['repository:a:pull', 'repository:b:pull,push'],
        ['repository:b:push', 'repository:a:pull'],
      ),
    ).toBe(true);
  });
});
