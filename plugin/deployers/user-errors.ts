import { isUserError, UserError } from '../../common/errors';
import { redactSecrets } from '../../common/redact-secrets';
import type { DeployUnit } from '../planner/deploy-units';
import type { TargetDeployer } from './target-deployer';

/** What a failed cloud call was for, so a cloud's mapping can say it in the user's terms. */
export interface FailedCall {
  method: 'observe' | 'listOwned' | 'apply' | 'describe' | 'invoke';
  /** The function the call was about, when it was about one. */
  unit?: DeployUnit;
}

/**
 * One cloud's mapping of its SDK's errors: those a user can act on (missing or rejected
 * credentials, a function not deployed, a local cloud that does not answer) become a UserError;
 * anything else gives undefined and stays as it was — a bug keeps its stack.
 */
export type ErrorExplainer = (error: unknown, call: FailedCall) => UserError | undefined;

/**
 * The deployer with every cloud call's failure passed through `explain`: the one place where a
 * raw SDK error turns into faasport's one-line message and hint, for every command (deploy,
 * info, remove, invoke) alike. `before` runs ahead of each call (a credentials check).
 */
export function explainingErrors(
  deployer: TargetDeployer,
  explain: ErrorExplainer,
  options: {
    before?: () => Promise<void>;
    /** The local control plane the deployer talks to: a network error means it has stopped. */
    localEndpoint?: string | undefined;
  } = {},
): TargetDeployer {
  const guard = async <T>(call: FailedCall, run: () => Promise<T>): Promise<T> => {
    try {
      await options.before?.();
      return await run();
    } catch (error) {
      if (isUserError(error)) throw error;
      const explained = explain(error, call);
      if (explained) throw explained;
      const network = networkCode(error);
      if (network && options.localEndpoint) throw localCloudDown(options.localEndpoint, network);
      throw error;
    }
  };
  return {
    target: deployer.target,
    platformFor: (unit) => deployer.platformFor(unit),
    check: (unit, source) => deployer.check(unit, source),
    desired: (unit, source) => deployer.desired(unit, source),
    observe: (units) => guard({ method: 'observe' }, () => deployer.observe(units)),
    listOwned: (except) => guard({ method: 'listOwned' }, () => deployer.listOwned(except)),
    apply: (step, progress) =>
      guard({ method: 'apply', ...(step.unit ? { unit: step.unit } : {}) }, () =>
        deployer.apply(step, progress),
      ),
    describe: (units) => guard({ method: 'describe' }, () => deployer.describe(units)),
    invoke: (unit, payload) => guard({ method: 'invoke', unit }, () => deployer.invoke(unit, payload)),
    close: () => deployer.close(),
  };
}

/** The hint's closing words for every credential problem. */
const LOCAL_CLOUD_NEEDS_NONE =
  'or add --local-cloud . to use the local control planes of `faasport emulate --cloud`, which need no credentials.';

/** No credentials at all for `cloud`: how to provide them, and that the local cloud needs none. */
export function missingCredentials(cloud: string, howToProvide: string, detail?: string): UserError {
  return new UserError(`no ${cloud} credentials found${detail ? ` (${sdkDetail(detail)})` : ''}`, {
    hint: `${howToProvide}; ${LOCAL_CLOUD_NEEDS_NONE}`,
  });
}

/** Credentials were found, and the cloud (or their provider) would not take them. */
export function rejectedCredentials(cloud: string, detail: string, howToFix: string): UserError {
  return new UserError(`${cloud} rejected the credentials: ${sdkDetail(detail)}`, {
    hint: `${howToFix}; ${LOCAL_CLOUD_NEEDS_NONE}`,
  });
}

/** The credentials were taken, and the identity may not do this. */
export function deniedCall(cloud: string, detail: string, howToFix: string): UserError {
  return new UserError(`${cloud} denied the request: ${sdkDetail(detail)}`, { hint: howToFix });
}

/** `sls invoke` of a function that is not there (never deployed, or removed). */
export function notDeployed(
  unit: DeployUnit,
  where: string,
  deployedName: string,
  local: boolean,
): UserError {
  return new UserError(`function ${unit.fn.key} is not deployed to ${where} (${deployedName})`, {
    hint: local
      ? 'Deploy it first: sls deploy --local-cloud . (the same local cloud you invoke).'
      : 'Deploy it first: sls deploy.',
  });
}

/** The local control plane's address did not answer: the emulator that served it has stopped. */
export function localCloudDown(endpoint: string | undefined, detail: string): UserError {
  return new UserError(
    `the local cloud${endpoint ? ` at ${endpoint}` : ''} does not answer (${sdkDetail(detail)})`,
    {
      hint: 'Start it again with `faasport emulate --cloud` (or `sls emulate --cloud`) in the service folder, then re-run the command.',
    },
  );
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** A connection that never got an answer (refused, no such host), by its Node error code. */
export function networkCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const errorName = (error: unknown): string =>
  (error as { name?: unknown } | null)?.name?.toString() ?? '';
export const errorMessage = (error: unknown): string =>
  (error as { message?: unknown } | null)?.message?.toString() ?? String(error);

/**
 * An SDK's message made fit for one line of output: its first line, anything that looks like a
 * key or a token blanked (an SDK may echo what it was given), and no longer than 240 characters.
 */
export function sdkDetail(message: string): string {
  const first = (message.split('\n').find((line) => line.trim() !== '') ?? '').trim();
  const redacted = redactSecrets(first);
  return redacted.length > 240 ? `${redacted.slice(0, 239)}…` : redacted;
}
