import type { AuthClient } from './auth-client';
import type { RegistryEndpoint } from './endpoint';
import { registryErrorFrom } from './error-response';
import type { RegistryError } from './errors';
import type { HttpRequest } from './http-client';
import { repositoryScope } from './scope';

export type Access = 'pull' | 'push';

/** Authorized requests against one repository of one registry; the store and uploads share it. */
export class RepositoryClient {
  constructor(
    readonly endpoint: RegistryEndpoint,
    readonly repository: string,
    private readonly auth: AuthClient,
  ) {}

  get location(): string {
    return `${this.endpoint.registry}/${this.repository}`;
  }

  /** `<origin>/v2/<repository>/<path>`; path parts are validated by the caller. */
  url(path: string): URL {
    return new URL(`${this.endpoint.origin}/v2/${this.repository}/${path}`);
  }

  scopes(access: Access, extra: readonly string[] = []): string[] {
    const actions: ('pull' | 'push')[] = access === 'push' ? ['pull', 'push'] : ['pull'];
    return [repositoryScope(this.repository, actions), ...extra];
  }

  send(
    request: HttpRequest,
    access: Access,
    operation: string,
    extraScopes: readonly string[] = [],
  ): Promise<Response> {
    return this.auth.send(
      request,
      this.scopes(access, extraScopes),
      this.context(operation, access, extraScopes),
    );
  }

  /** The actionable error for an unexpected response (consumes its body). */
  error(
    response: Response,
    operation: string,
    access: Access,
    extraScopes: readonly string[] = [],
  ): Promise<RegistryError> {
    return registryErrorFrom(response, this.context(operation, access, extraScopes));
  }

  private context(operation: string, access: Access, extraScopes: readonly string[]) {
    return {
      registry: this.endpoint.registry,
      repository: this.repository,
      operation,
      scopes: this.scopes(access, extraScopes),
      credentialSources: this.auth.credentialSources,
    };
  }
}
