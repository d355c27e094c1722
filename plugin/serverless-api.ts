import type { ProviderSchema } from '../common/service/schema';

/** A framework command as a plugin declares it (serverless@3 and osls share the format). */
export interface CommandDefinition {
  usage?: string;
  lifecycleEvents?: string[];
  options?: Record<string, CommandOption>;
  commands?: Record<string, CommandDefinition>;
  type?: 'entrypoint' | 'container';
}

export interface CommandOption {
  usage: string;
  shortcut?: string;
  required?: boolean;
  /** osls refuses options without a type. */
  type: 'string' | 'boolean' | 'multiple';
}

export interface FrameworkFunction {
  name?: string;
  package?: { artifact?: string; patterns?: string[]; individually?: boolean; disable?: boolean };
}

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
    getFunction?(name: string): FrameworkFunction;
    package?: { path?: string; artifact?: string };
  };
  /** Absolute folder of the service file (absent for commands that run without a service). */
  serviceDir?: string;
  /** The service file's name relative to serviceDir. */
  configurationFilename?: string;
  /** The configuration with every variable resolved. */
  configurationInput?: Record<string, unknown>;
  processedInput?: { commands: string[]; options: ServerlessOptions };
  /** `classes.Error` is the framework's user-error class: printed without a stack trace. */
  classes?: { Error: new (message: string, code?: string) => Error };
}

/** CLI options the framework passes to every plugin constructor (`--stage`, `--region`, …). */
export type ServerlessOptions = Record<string, string | boolean | string[] | null | undefined>;
