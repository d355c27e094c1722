import { UserError } from '../../common/errors';
import { MAX_MANIFEST_BYTES } from '../media-types';
import type { Credential } from './credentials/credential';
import type { HttpClient } from './http-client';
import { readCapped } from './read-capped';
import { redactUrl } from './redact';

export interface TokenRequest {
  realm: URL;
  service: string | undefined;
  scopes: readonly string[];
  credential: Credential | undefined;
  registry: string;
}

export interface IssuedToken {
  token: string;
  expiresIn: number | undefined;
}

/** Sent as `client_id` in OAuth2 refresh-token requests. */
const CLIENT_ID = 'faasport';

/**
 * Obtains a bearer token from a realm: the OAuth2 refresh-token POST when we hold an identity
 * token (falling back to GET on 404/405, as older token servers only speak GET), otherwise the
 * distribution GET with Basic credentials or anonymously.
 */
export async function requestToken(http: HttpClient, request: TokenRequest): Promise<IssuedToken> {
  const { credential } = request;
  if (credential?.identityToken) {
    const response = await http.send({
      method: 'POST',
      url: request.realm,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: () => refreshForm(request, credential.identityToken as string),
      retryable: true,
    });
    if (response.status !== 404 && response.status !== 405) return parseTokenResponse(response, request);
    await response.body?.cancel().catch(() => undefined);
  }
  const url = new URL(request.realm);
  if (request.service) url.searchParams.set('service', request.service);
  for (const scope of request.scopes) url.searchParams.append('scope', scope);
  const headers: Record<string, string> = {};
  const basic = basicFor(credential);
  if (basic) headers.authorization = basic;
  const response = await http.send({ method: 'GET', url, headers, retryable: true });
  return parseTokenResponse(response, request);
}

function refreshForm(request: TokenRequest, refreshToken: string): string {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: CLIENT_ID,
  });
  if (request.service) form.set('service', request.service);
  if (request.scopes.length > 0) form.set('scope', request.scopes.join(' '));
  return form.toString();
}

/** Basic for the token endpoint: username/password, or `<token>` + identity token for GET fall-backs. */
export function basicFor(credential: Credential | undefined): string | undefined {
  if (!credential) return undefined;
  if (credential.username && credential.password) {
    return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
  }
  if (credential.identityToken) {
    return `Basic ${Buffer.from(`${credential.username ?? '<token>'}:${credential.identityToken}`).toString('base64')}`;
  }
  return undefined;
}

async function parseTokenResponse(response: Response, request: TokenRequest): Promise<IssuedToken> {
  const realm = redactUrl(request.realm);
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel().catch(() => undefined);
    throw new UserError(
      request.credential
        ? `the token service ${realm} rejected the credentials for ${request.registry} (${response.status})`
        : `the token service ${realm} requires credentials for ${request.registry} (${response.status}) and none were found`,
      {
        hint: `Check the credentials for ${request.registry}${request.credential?.source ? ` in ${request.credential.source}` : ''} (run "docker login ${request.registry}"); the scopes requested were ${request.scopes.join(' ') || '(none)'}.`,
      },
    );
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new UserError(`the token service ${realm} failed for ${request.registry} (${response.status})`, {
      hint: 'Retry later; if it persists the registry’s token service is misconfigured.',
    });
  }
  const bytes = await readCapped(response, MAX_MANIFEST_BYTES, `token response from ${realm}`);
  let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown };
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as typeof parsed;
  } catch {
    throw new UserError(`the token service ${realm} answered with something that is not JSON`);
  }
  const token =
    typeof parsed.token === 'string' && parsed.token !== ''
      ? parsed.token
      : typeof parsed.access_token === 'string'
        ? parsed.access_token
        : '';
  if (token === '') throw new UserError(`the token service ${realm} returned no token`);
  const expiresIn = typeof parsed.expires_in === 'number' ? parsed.expires_in : undefined;
  return { token, expiresIn };
}
