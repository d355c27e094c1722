import type { ProviderSchema } from './schema';

/**
 * The part of the Serverless Framework instance (v3 and osls 4) that the plugin touches. The
 * framework ships no types; keep this to what is used so a framework change shows up here.
 */
export interface ServerlessInstance {
  setProvider(name: string, provider: object): void;
  configSchemaHandler: {
    defineProvider(name: string, schema: ProviderSchema): void;
  };
  service: {
    service: string;
    provider: { name: string; stage?: string };
    getAllFunctions(): string[];
  };
}

/** CLI options the framework passes to every plugin constructor (`--stage`, `--region`, …). */
export type ServerlessOptions = Record<string, string | boolean | string[] | undefined>;
