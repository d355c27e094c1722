import { describe, expect, test } from 'vitest';
import { type DesiredSpec, decide, type ObservedSpec } from '../../../plugin/planner/diff';
import { formatPlan, type PlanRow } from '../../../plugin/planner/plan';

const digestA = `sha256:${'a'.repeat(64)}`;
const digestB = `sha256:${'b'.repeat(64)}`;
const settings = { MemorySize: 256, Timeout: 10, Environment: { A: '1', B: '2' }, Architectures: ['x86_64'] };

const desired = (overrides: Partial<DesiredSpec> = {}): DesiredSpec => ({
  digest: digestA,
  codeFingerprint: 'fp-a',
  settings,
  ...overrides,
});
const deployed = (overrides: Partial<Extract<ObservedSpec, { exists: true }>> = {}): ObservedSpec => ({
  exists: true,
  owned: true,
  owner: 'faasport service svc, stage dev',
  digest: digestA,
  codeFingerprint: 'fp-a',
  settings,
  ...overrides,
});

describe('decide', () => {
  test('not deployed → create', () => {
    expect(decide(desired(), { exists: false })).toMatchObject({ action: 'create', changes: { code: true } });
  });

  test('same digest, same code, same settings → no-op (no write at all)', () => {
    expect(decide(desired(), deployed())).toMatchObject({
      action: 'no-op',
      changes: { code: false, tagsOnly: false, config: [] },
    });
  });

  test('settings compare maps regardless of key order, and an empty map equals none', () => {
    const reordered = deployed({ settings: { ...settings, Environment: { B: '2', A: '1' } } });
    expect(decide(desired(), reordered)).toMatchObject({ action: 'no-op' });
    const noEnvironment = { ...settings, Environment: {} };
    expect(
      decide(
        desired({ settings: noEnvironment }),
        deployed({ settings: { ...settings, Environment: undefined } }),
      ),
    ).toMatchObject({ action: 'no-op' });
  });

  test('a new artefact → update-code, naming both digests', () => {
    const decision = decide(desired({ digest: digestB, codeFingerprint: 'fp-b' }), deployed());
    expect(decision).toMatchObject({ action: 'update-code', changes: { code: true, tagsOnly: false } });
    expect('reason' in decision && decision.reason).toContain('sha256:bbbbbbbbbbbb');
    expect('reason' in decision && decision.reason).toContain('sha256:aaaaaaaaaaaa');
  });

  test('drifted settings only → update-config listing them, sorted', () => {
    const decision = decide(desired(), deployed({ settings: { ...settings, Timeout: 3, MemorySize: 128 } }));
    expect(decision).toMatchObject({
      action: 'update-config',
      changes: { code: false, config: ['MemorySize', 'Timeout'] },
    });
  });

  test('new code and drifted settings → update-code carrying the config changes too', () => {
    const decision = decide(
      desired({ digest: digestB, codeFingerprint: 'fp-b' }),
      deployed({ settings: { ...settings, Timeout: 3 } }),
    );
    expect(decision).toMatchObject({ action: 'update-code', changes: { code: true, config: ['Timeout'] } });
  });

  test('code already in place but digest unrecorded (interrupted run) → only the tags are written', () => {
    const decision = decide(
      desired({ digest: digestB, codeFingerprint: 'fp-b' }),
      deployed({ digest: undefined, codeFingerprint: 'fp-b' }),
    );
    expect(decision).toMatchObject({ action: 'update-code', changes: { code: false, tagsOnly: true } });
  });

  test('digest recorded but the code was changed outside faasport → update-code', () => {
    const decision = decide(desired(), deployed({ codeFingerprint: 'someone-else' }));
    expect(decision).toMatchObject({ action: 'update-code', reason: 'code changed outside faasport' });
  });

  test('without a predictable fingerprint, the recorded digest decides', () => {
    const { codeFingerprint: _omit, ...noFingerprint } = desired();
    expect(decide(noFingerprint, deployed({ codeFingerprint: 'whatever' }))).toMatchObject({
      action: 'no-op',
    });
    expect(decide({ ...noFingerprint, digest: digestB }, deployed())).toMatchObject({
      action: 'update-code',
    });
  });

  test('a function of the same name not owned by this service and stage is refused', () => {
    expect(decide(desired(), deployed({ owned: false, owner: 'not created by faasport' }))).toEqual({
      refuse: 'it exists but is not managed by this service and stage (not created by faasport)',
    });
  });

  test('an incompatible deployed function (zip ↔ image) is refused', () => {
    expect(decide(desired(), deployed({ incompatible: 'cannot switch' }))).toEqual({
      refuse: 'cannot switch',
    });
  });
});

test('formatPlan prints a table sorted by target and function, with counts', () => {
  const row = (fn: string, action: PlanRow['action']): PlanRow => ({
    function: fn,
    name: `svc-dev-${fn}`,
    target: 'aws',
    action,
    reason: 'why',
    changes: { code: false, tagsOnly: false, config: [] },
  });
  const text = formatPlan([row('b', 'no-op'), row('a', 'create'), row('c', 'no-op')]);
  const lines = text.split('\n');
  expect(lines[0]).toMatch(/^FUNCTION\s+TARGET\s+ACTION\s+REASON$/);
  expect(lines.slice(1, 4).map((line) => line.split(/\s+/)[0])).toEqual(['a', 'b', 'c']);
  expect(text).toContain('2 no-op, 1 create');
});
