import { CLOUDS } from '../common/clouds';
import { formatUserError, isUserError } from '../common/errors';
import { LOCAL_STATE_DIR } from '../common/local-state';
import { PROVIDER_NAME, providerSchema } from '../common/service/schema';
import type { Serving } from '../emulator/serve';
import { commandContext } from './commands/command-context';
import type {
  CommandDefinition,
  CommandOption,
  ServerlessInstance,
  ServerlessOptions,
} from './serverless-api';

const targetOption: CommandOption = {
  usage: `Only this target (${CLOUDS.join(', ')}); repeat for several`,
  type: 'multiple',
};
// osls requires every option to be typed, and a typed string option requires a value: the
// service folder (`--local-cloud .`) stands for its .faasport/cloud.json.
const localCloudOption: CommandOption = {
  usage:
    'Use the local control planes: a folder (its .faasport/cloud.json, written by `faasport emulate --cloud`), a cloud.json file, or the URL of a control plane. Also FAASPORT_LOCAL_CLOUD (1 = this service).',
  type: 'string',
};
const concurrencyOption: CommandOption = {
  usage: 'Functions changed at once per target (default 8)',
  type: 'string',
};
const deployOptions: Record<string, CommandOption> = {
  'dry-run': { usage: 'Print the plan and change nothing', type: 'boolean' },
  'local-cloud': localCloudOption,
  target: targetOption,
  concurrency: concurrencyOption,
};
const emulateOptions: Record<string, CommandOption> = {
  engine: { usage: 'Where instances run: docker or process', type: 'string' },
  host: { usage: 'Address to bind (default 127.0.0.1)', type: 'string' },
  port: { usage: 'API Gateway port (default 3000)', type: 'string' },
  'lambda-port': { usage: 'Lambda Invoke API port (default 3002)', type: 'string' },
  'websocket-port': { usage: 'API Gateway websocket port (default 3001)', type: 'string' },
  'alb-port': { usage: 'Application Load Balancer port (default 3003)', type: 'string' },
  'gcp-port': { usage: 'Google Cloud Functions port (default 8080)', type: 'string' },
  'azure-port': { usage: 'Azure Functions port (default 7071)', type: 'string' },
  warm: { usage: 'eager: one instance per function at start-up; lazy: on demand', type: 'string' },
  'idle-timeout': { usage: 'Reclaim instances idle this many seconds (default 600)', type: 'string' },
  'max-concurrency': {
    usage: 'Instances per function without reservedConcurrency (default 10)',
    type: 'string',
  },
  cloud: { usage: 'Also serve the local control planes (for sls deploy --local-cloud)', type: 'boolean' },
  'cloud-port': {
    usage: 'With --cloud: first of 4 consecutive control-plane ports (Lambda, S3, ARM, Cloud Functions)',
    type: 'string',
  },
  'cloud-host': {
    usage: 'With --cloud: address of the control planes (default 127.0.0.1, whatever --host says)',
    type: 'string',
  },
  'log-format': { usage: 'json: events as NDJSON on stdout (README: Event stream)', type: 'string' },
  inspect: { usage: 'Debugger port: <port>, <function> or <function>:<port>', type: 'string' },
  'inspect-brk': { usage: 'As --inspect, each instance waiting for the debugger', type: 'string' },
  'docker-network': { usage: 'Docker network instances join (a compose project’s)', type: 'string' },
  watch: { usage: 'Hot reload on file change (default on; --no-watch turns it off)', type: 'boolean' },
  strict: {
    usage: 'Swap reloaded code without trying it first (init errors reach callers)',
    type: 'boolean',
  },
  'publish-on-change': { usage: "Push each reloaded artefact to the function's registries", type: 'boolean' },
  console: { usage: 'Serve the browser console at /__faasport/ (default on; --no-console)', type: 'boolean' },
};
const emulateCommand: CommandDefinition = {
  usage:
    'Run the functions locally (faasport emulator): API Gateway, Lambda Invoke API, cold and warm starts',
  lifecycleEvents: ['serve'],
  options: emulateOptions,
};

/**
 * The Serverless Framework plugin: registers the `faasport` provider and its configuration
 * schema, and the commands deploy, deploy function, remove, info, invoke, package, publish,
 * emulate and offline. Loaded by name from `plugins: [serverless-faasport]` under serverless@3
 * and osls.
 *
 * For a `provider.name: faasport` service the plugin is both the plugin and the provider
 * (`this.provider = this`): the framework's AWS plugins (CloudFormation packaging and deploy) do
 * not run. For a service of another provider — an AWS project that ran serverless-offline — it
 * is provider-agnostic and brings only the local commands (`emulate`, `offline`, `offline start`):
 * the framework's own deploy stays in charge, and the project runs unchanged. (A plugin whose
 * `provider` names another provider is skipped by the framework altogether.)
 */
class FaasportPlugin {
  static getProviderName(): string {
    return PROVIDER_NAME;
  }

  readonly serverless: ServerlessInstance;
  readonly options: ServerlessOptions;
  /** What `sls offline start` started at init, stopped at end. */
  private serving: Serving | undefined;
  readonly provider: FaasportPlugin | undefined;
  readonly commands: Record<string, CommandDefinition>;
  readonly hooks: Record<string, () => Promise<void>>;

  constructor(serverless: ServerlessInstance, options: ServerlessOptions = {}) {
    this.serverless = serverless;
    this.options = options;
    const providerName = serverless.service?.provider?.name;
    const localOnly = typeof providerName === 'string' && providerName !== PROVIDER_NAME;
    this.provider = localOnly ? undefined : this;
    if (!localOnly) {
      serverless.setProvider(PROVIDER_NAME, this);
      // defineProvider is a no-op unless the service's provider.name is `faasport`.
      serverless.configSchemaHandler.defineProvider(PROVIDER_NAME, providerSchema());
    }

    const localCommands: Record<string, CommandDefinition> = {
      emulate: emulateCommand,
      // serverless-offline's command shape, so that plugins hooking it (esbuild, webpack, a local
      // database) run as before: `sls offline` (lifecycle start) and `sls offline start`
      // (init, ready, end).
      offline: {
        ...emulateCommand,
        usage: 'Alias of `emulate`',
        lifecycleEvents: ['start'],
        commands: {
          start: {
            ...emulateCommand,
            usage: 'Alias of `emulate`, in the steps other plugins hook: offline:start:init, ready, end',
            lifecycleEvents: ['init', 'ready', 'end'],
          },
        },
      },
    };
    const run = (task: () => Promise<void>) => () => this.run(task);
    const localHooks: Record<string, () => Promise<void>> = {
      'emulate:serve': run(async () => (await import('./commands/emulate.js')).emulate(this.context())),
      'offline:start': run(async () => (await import('./commands/emulate.js')).emulate(this.context())),
      'offline:start:init': run(async () => {
        this.serving = await (await import('./commands/emulate.js')).offlineStart.init(this.context());
      }),
      'offline:start:ready': run(async () => (await import('./commands/emulate.js')).offlineStart.ready()),
      'offline:start:end': run(async () =>
        (await import('./commands/emulate.js')).offlineStart.end(this.serving),
      ),
    };
    if (localOnly) {
      this.commands = localCommands;
      this.hooks = localHooks;
      return;
    }

    this.commands = {
      deploy: { options: deployOptions, commands: { function: { options: deployOptions } } },
      remove: {
        options: { 'local-cloud': localCloudOption, target: targetOption, concurrency: concurrencyOption },
      },
      info: { options: { 'local-cloud': localCloudOption, target: targetOption } },
      invoke: {
        options: {
          target: { usage: 'The target to invoke on (aws)', type: 'string' },
          'local-cloud': localCloudOption,
        },
      },
      publish: {
        usage: 'Pack each function and push it to its sourceArtifact (and copy it to the target registries)',
        lifecycleEvents: ['publish'],
        options: {
          function: { usage: 'Only this function', shortcut: 'f', type: 'string' },
          insecure: { usage: 'Plain http to a non-loopback registry', type: 'boolean' },
        },
      },
      ...localCommands,
    };

    this.hooks = {
      initialize: async () => this.skipFrameworkPackagingOnDeploy(),
      'deploy:deploy': run(async () => (await import('./commands/deploy.js')).deploy(this.context())),
      'deploy:function:deploy': run(async () => {
        const fn = typeof this.options.function === 'string' ? this.options.function : undefined;
        await (await import('./commands/deploy.js')).deploy(this.context(), fn ?? '');
      }),
      'remove:remove': run(async () => (await import('./commands/remove.js')).remove(this.context())),
      'info:info': run(async () => (await import('./commands/info.js')).info(this.context())),
      'invoke:invoke': run(async () => (await import('./commands/invoke.js')).invoke(this.context())),
      'before:package:createDeploymentArtifacts': run(async () =>
        (await import('./commands/package.js')).packageFunctions(this.context(), this.serverless),
      ),
      'publish:publish': run(async () => (await import('./commands/publish.js')).publish(this.context())),
      ...localHooks,
    };
  }

  private context() {
    return commandContext(this.serverless, this.options);
  }

  /**
   * The framework's `deploy` spawns its generic `package` (a zip of the whole service) unless a
   * package path is set. faasport deploys published artefacts, so nothing is packaged on deploy:
   * point the framework at faasport's own folder.
   */
  private async skipFrameworkPackagingOnDeploy(): Promise<void> {
    const [command] = this.serverless.processedInput?.commands ?? [];
    const servicePackage = this.serverless.service.package;
    if (command === 'deploy' && servicePackage && !servicePackage.path) servicePackage.path = LOCAL_STATE_DIR;
  }

  /** A faasport UserError becomes the framework's own user error: a message, no stack trace. */
  private async run(task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } catch (error) {
      if (!isUserError(error)) throw error;
      const FrameworkError = this.serverless.classes?.Error;
      if (!FrameworkError) throw error;
      throw new FrameworkError(formatUserError(error), 'FAASPORT_ERROR');
    }
  }
}

// The frameworks `require()` the package and use `.default` when present, else the export itself.
Object.defineProperty(FaasportPlugin, 'default', { value: FaasportPlugin });

export = FaasportPlugin;
