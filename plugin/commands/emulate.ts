import { type Serving, serveUntilSignal, startServing, waitForSignal } from '../../emulator/serve';
import type { ServeOptions } from '../../emulator/serve-options';
import { parseEmulateArgs } from '../../emulator/serve-options';
import type { CommandContext } from './command-context';
import { offlineSettingsArgs } from './offline-settings';

/** Options of `sls emulate` / `sls offline`, passed on as `faasport emulate` flags. */
export const EMULATE_OPTIONS = [
  'engine',
  'port',
  'lambda-port',
  'websocket-port',
  'alb-port',
  'gcp-port',
  'azure-port',
  'host',
  'warm',
  'idle-timeout',
  'max-concurrency',
  'cloud-port',
  'cloud-host',
  'log-format',
  'inspect',
  'inspect-brk',
  'docker-network',
] as const;

/**
 * `sls emulate` (alias `sls offline`): the emulator on the configuration the framework resolved,
 * with the same flags and validation as `faasport emulate`; `--cloud` adds the local control planes.
 */
export async function emulate(context: CommandContext): Promise<void> {
  await serveUntilSignal(context.model, emulateArgs(context));
}

/**
 * `sls offline start`, in serverless-offline's three steps, so that other plugins' hooks run
 * between them (e.g. a local database started `before:offline:start:init`, stopped
 * `before:offline:start:end`): init starts serving, ready waits for Ctrl-C, end stops.
 */
export const offlineStart = {
  init: (context: CommandContext): Promise<Serving> => startServing(context.model, emulateArgs(context)),
  ready: async (): Promise<void> => {
    await waitForSignal();
    process.stderr.write('\nfaasport: stopping…\n');
  },
  end: (serving: Serving | undefined): Promise<void> => serving?.stop() ?? Promise.resolve(),
};

function emulateArgs(context: CommandContext): ServeOptions {
  const argv: string[] = [];
  for (const name of EMULATE_OPTIONS) {
    const value = context.options[name];
    // `--name=value`: a value may be empty (a bare `--inspect`) or look like a flag.
    if (typeof value === 'string') argv.push(`--${name}=${value}`);
  }
  if (context.options.cloud === true) argv.push('--cloud');
  // Booleans the framework parses itself: `--no-watch` arrives as `watch: false`.
  const { watch, strict, console: withConsole } = context.options;
  if (watch === true) argv.push('--watch');
  if (watch === false) argv.push('--no-watch');
  if (strict === true) argv.push('--strict');
  if (context.options['publish-on-change'] === true) argv.push('--publish-on-change');
  if (withConsole === false) argv.push('--no-console');
  const offline = offlineSettingsArgs(
    context.model.serverlessOffline,
    (option) => typeof context.options[option] === 'string',
  );
  if (offline.unsupported.length > 0) {
    context.log(
      `faasport: custom.serverless-offline: ${offline.unsupported.join(', ')} ${offline.unsupported.length === 1 ? 'has' : 'have'} no faasport equivalent and ${offline.unsupported.length === 1 ? 'is' : 'are'} ignored (README: compatibility with serverless-offline)`,
    );
  }
  return parseEmulateArgs([...offline.argv, ...argv]);
}
