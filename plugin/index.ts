import { PROVIDER_NAME, providerSchema } from './schema';
import type { ServerlessInstance, ServerlessOptions } from './serverless-api';

/**
 * The Serverless Framework plugin: registers the `faasport` provider and its configuration
 * schema. Loaded by name from `plugins: [serverless-faasport]` under serverless@3 and osls.
 *
 * A provider plugin is both the plugin and the provider (`this.provider = this`): the framework
 * reads `provider.constructor.getProviderName()` and skips the plugin for services whose
 * `provider.name` is something else.
 */
class FaasportPlugin {
  static getProviderName(): string {
    return PROVIDER_NAME;
  }

  readonly serverless: ServerlessInstance;
  readonly options: ServerlessOptions;
  readonly provider: FaasportPlugin;
  readonly hooks: Record<string, () => Promise<void>> = {};

  constructor(serverless: ServerlessInstance, options: ServerlessOptions = {}) {
    this.serverless = serverless;
    this.options = options;
    this.provider = this;
    serverless.setProvider(PROVIDER_NAME, this);
    // defineProvider is a no-op unless the service's provider.name is `faasport`.
    serverless.configSchemaHandler.defineProvider(PROVIDER_NAME, providerSchema());
  }
}

// The frameworks `require()` the package and use `.default` when present, else the export itself.
Object.defineProperty(FaasportPlugin, 'default', { value: FaasportPlugin });

export = FaasportPlugin;
