import { createHash, timingSafeEqual } from 'node:crypto';
import { UserError } from '../../../../common/errors';
import { firstHeader, type GatewayRequest } from '../../../gateway/http-request';

/** A REST API key from `provider.apiGateway.apiKeys`. */
export interface ApiKey {
  name: string;
  value: string;
  id: string;
  enabled: boolean;
}

/**
 * Reads `provider.apiGateway.apiKeys`: names, `{ name, value, enabled }`, or usage plan groups
 * (`{ <plan>: [keys] }`). A key written without a value gets one derived from the service, stage
 * and name, so it stays the same across restarts (these are local test keys, printed at start).
 */
export function apiKeysOf(
  apiGateway: Record<string, unknown> | undefined,
  service: string,
  stage: string,
): ApiKey[] {
  const raw = apiGateway?.apiKeys;
  if (raw === undefined) return [];
  if (!Array.isArray(raw))
    throw new UserError('provider.apiGateway.apiKeys must be a list', {
      hint: 'Write a list of key names or { name, value }.',
      exitCode: 2,
    });
  const keys: ApiKey[] = [];
  const add = (entry: unknown, where: string): void => {
    if (typeof entry === 'string') {
      keys.push(key(entry, undefined, true));
      return;
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw new UserError(`${where} must be a key name or { name, value }`, { exitCode: 2 });
    const spec = entry as Record<string, unknown>;
    if (typeof spec.name === 'string' || typeof spec.value === 'string') {
      const name = typeof spec.name === 'string' ? spec.name : `key-${keys.length + 1}`;
      if (typeof spec.value === 'string' && spec.value.length < 20)
        throw new UserError(`${where}.value must be at least 20 characters, as API Gateway requires`, {
          exitCode: 2,
        });
      keys.push(key(name, typeof spec.value === 'string' ? spec.value : undefined, spec.enabled !== false));
      return;
    }
    // A usage plan group: `{ free: [keyA, keyB] }`.
    for (const [plan, members] of Object.entries(spec)) {
      if (!Array.isArray(members))
        throw new UserError(`${where}.${plan} must be a list of keys`, { exitCode: 2 });
      for (const [index, member] of members.entries()) add(member, `${where}.${plan}[${index}]`);
    }
  };
  const key = (name: string, value: string | undefined, enabled: boolean): ApiKey => {
    const digest = createHash('sha256').update(`${service}\0${stage}\0${name}`).digest();
    return {
      name,
      value: value ?? digest.toString('base64url').slice(0, 40),
      id: digest.toString('hex').slice(0, 10),
      enabled,
    };
  };
  for (const [index, entry] of raw.entries()) add(entry, `provider.apiGateway.apiKeys[${index}]`);
  return keys;
}

/** Where a private route's key comes from (`provider.apiGateway.apiKeySourceType`). */
export type ApiKeySource = 'HEADER' | 'AUTHORIZER';

export function apiKeySourceOf(apiGateway: Record<string, unknown> | undefined): ApiKeySource {
  const value = String(apiGateway?.apiKeySourceType ?? 'HEADER').toUpperCase();
  if (value !== 'HEADER' && value !== 'AUTHORIZER')
    throw new UserError(`provider.apiGateway.apiKeySourceType: "${value}" is not a key source`, {
      hint: 'Use HEADER (x-api-key, the default) or AUTHORIZER (the authorizer’s usageIdentifierKey).',
      exitCode: 2,
    });
  return value;
}

/**
 * The enabled key of a request: the one its `x-api-key` header names, or (source AUTHORIZER) the
 * `usageIdentifierKey` its Lambda authorizer returned.
 */
export function requestApiKey(
  keys: ApiKey[],
  request: GatewayRequest,
  source: ApiKeySource = 'HEADER',
  usageIdentifierKey?: string,
): ApiKey | undefined {
  const value = source === 'AUTHORIZER' ? usageIdentifierKey : firstHeader(request, 'x-api-key');
  if (!value) return undefined;
  // Compared in constant time, every key every time: neither the position of the first wrong
  // character nor which key matched shows in how long the answer takes. SHA-256 digests give
  // timingSafeEqual the equal lengths it needs without revealing a key's length.
  const sent = sha256(value);
  let found: ApiKey | undefined;
  for (const candidate of keys) {
    const same = timingSafeEqual(sha256(candidate.value), sent);
    if (same && candidate.enabled && !found) found = candidate;
  }
  return found;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
