import { type Challenge, parseChallenges, preferredChallenge } from './challenge';
import type { Credential, CredentialProvider } from './credentials/credential';
import { hasCredential } from './credentials/credential';
import type { RegistryEndpoint } from './endpoint';
import { type ErrorContext, registryErrorFrom } from './error-response';
import type { HttpClient, HttpRequest } from './http-client';
import { checkRealm } from './realm';
import { mergeScopes, splitScopes } from './scope';
import type { TokenCache } from './token-cache';
import { basicFor, requestToken } from './token-client';

export interface AuthClientOptions {
  endpoint: RegistryEndpoint;
  http: HttpClient;
  credentials: CredentialProvider | undefined;
  tokens: TokenCache;
}

/** Remembered per registry origin across stores: once a host said Basic, send Basic up front. */
const basicOrigins = new Set<string>();

/**
 * Sends registry requests with whatever authorization the registry asks for: nothing,
 * Basic on every request, or Bearer tokens per scope (fetched from the challenge's realm,
 * cached, widened once on `insufficient_scope`). A final 401 becomes an actionable error.
 */
export class AuthClient {
  private credential: Promise<Credential | undefined> | undefined;

  constructor(private readonly options: AuthClientOptions) {}

  /** Where credentials are looked up, for messages. */
  get credentialSources(): string {
    return this.options.credentials?.sources ?? 'nowhere (no credential provider configured)';
  }

  async send(request: HttpRequest, scopes: readonly string[], context: ErrorContext): Promise<Response> {
    const { http, endpoint, tokens } = this.options;
    let authorization = await this.knownAuthorization(scopes);
    let response = await http.send(withAuthorization(request, authorization));

    for (let round = 0; response.status === 401 && round < 2; round++) {
      const challenge = preferredChallenge(parseChallenges(response.headers.get('www-authenticate')));
      if (!challenge) break;
      const wanted =
        challenge.scheme === 'bearer' ? mergeScopes(scopes, splitScopes(challenge.params.scope)) : [];
      // A repeated Bearer challenge only helps if it asks for more than the token we just used had.
      if (round > 0 && challenge.scheme === 'bearer' && challenge.params.error !== 'insufficient_scope')
        break;
      if (authorization?.startsWith('Bearer ')) tokens.delete(endpoint.origin, authorization.slice(7));
      const next = await this.authorize(challenge, wanted, context);
      if (next === undefined || next === authorization) break;
      await response.body?.cancel().catch(() => undefined);
      authorization = next;
      response = await http.send(withAuthorization(request, authorization));
    }
    if (response.status === 401) {
      throw await registryErrorFrom(response, {
        ...context,
        // with credentials at hand they were used as soon as the registry challenged
        sentCredentials: (await this.lookUpCredential()) !== undefined,
        credentialSources: this.credentialSources,
      });
    }
    return response;
  }

  private async knownAuthorization(scopes: readonly string[]): Promise<string | undefined> {
    const { endpoint, tokens } = this.options;
    if (basicOrigins.has(endpoint.origin)) return basicFor(await this.lookUpCredential());
    const token = tokens.get(endpoint.origin, scopes);
    return token === undefined ? undefined : `Bearer ${token}`;
  }

  private async authorize(
    challenge: Challenge,
    scopes: string[],
    context: ErrorContext,
  ): Promise<string | undefined> {
    const { endpoint, http, tokens } = this.options;
    const credential = await this.lookUpCredential();
    if (challenge.scheme === 'basic') {
      basicOrigins.add(endpoint.origin);
      return basicFor(credential);
    }
    if (challenge.scheme !== 'bearer') return undefined;
    if (credential?.registryToken) return `Bearer ${credential.registryToken}`;
    const realm = checkRealm(challenge.params.realm ?? '', endpoint.origin);
    const issued = await requestToken(http, {
      realm,
      service: challenge.params.service,
      scopes,
      credential,
      registry: context.registry,
    });
    tokens.set(endpoint.origin, scopes, issued.token, issued.expiresIn);
    return `Bearer ${issued.token}`;
  }

  private lookUpCredential(): Promise<Credential | undefined> {
    if (!this.credential) {
      const provider = this.options.credentials;
      const registry = this.options.endpoint.registry;
      this.credential = provider
        ? provider(registry).then((c) => (hasCredential(c) ? c : undefined))
        : Promise.resolve(undefined);
    }
    return this.credential;
  }
}

function withAuthorization(request: HttpRequest, authorization: string | undefined): HttpRequest {
  if (authorization === undefined) return request;
  return { ...request, headers: { ...request.headers, authorization } };
}
