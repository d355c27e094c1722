import { join } from 'node:path';
import { formatColumns } from '../common/columns';
import { UserError } from '../common/errors';
import { isLoopbackHost } from '../common/http/loopback-guard';
import type { ServiceModel } from '../common/service/service-model';
import { type ServedCloud, serveCloud } from '../local-cloud/serve-cloud';
import { serviceCacheDir } from './code/cache-dir';
import { DeployedCode } from './code/deployed-code';
import { HostedCode } from './code/hosted-code';
import type { PlanesView } from './console/console-backend';
import { CONSOLE_PATH } from './console/console-server';
import { Emulator } from './emulator';
import { printNdjson, silentLogger } from './events/event-logger';
import { consoleLogger } from './logger';
import { DeployedLambdas } from './providers/aws/deployed-lambdas';
import { DeployedAzureApps } from './providers/azure/deployed-azure-apps';
import { DeployedGcpFunctions } from './providers/gcp/deployed-gcp-functions';
import type { ServeOptions } from './serve-options';
import { publishOnChange } from './watch/publish-on-change';

/**
 * Runs the emulator in the foreground until SIGINT, SIGTERM or SIGHUP, then stops everything it started.
 * Shared by `faasport emulate` and the plugin's `sls emulate` / `sls offline`.
 */
export async function serveUntilSignal(model: ServiceModel, options: ServeOptions): Promise<void> {
  const serving = await startServing(model, options);
  await waitForSignal();
  process.stderr.write('\nfaasport: stopping…\n');
  await serving.stop();
}

/** What `startServing` started: stopped once (later calls wait for the same stop). */
export interface Serving {
  stop(): Promise<void>;
}

/**
 * Starts the emulator (and the local planes with `cloud`) and prints the banner; the caller
 * decides when to stop — at a signal (serveUntilSignal), or at the framework's
 * `offline:start:end` so that other plugins' hooks run in between.
 */
export async function startServing(model: ServiceModel, options: ServeOptions): Promise<Serving> {
  const json = options.logFormat === 'json';
  const emulator = new Emulator({
    model,
    // With --log-format json every line reaches stdout as an event (printNdjson below) instead.
    logger: json ? silentLogger : consoleLogger,
    console: options.console !== false,
    ...(options.inspect ? { inspect: options.inspect } : {}),
    ...(options.dockerNetwork ? { dockerNetwork: options.dockerNetwork } : {}),
    ...(options.engine ? { engine: options.engine } : {}),
    host: options.host,
    port: options.port,
    lambdaPort: options.lambdaPort,
    ...(options.websocketPort !== undefined ? { websocketPort: options.websocketPort } : {}),
    ...(options.albPort !== undefined ? { albPort: options.albPort } : {}),
    ...(options.gcpPort !== undefined ? { gcpPort: options.gcpPort } : {}),
    ...(options.azurePort !== undefined ? { azurePort: options.azurePort } : {}),
    warm: options.warm,
    idleTimeoutMs: options.idleTimeoutSeconds * 1000,
    defaultConcurrency: options.maxConcurrency,
    ...(options.artifacts ? { artifacts: options.artifacts } : {}),
    ...(options.watch ? { watch: true, strict: options.strict === true } : {}),
    ...(options.watch && options.publishOnChange
      ? {
          // Through the emulator's logger, so that with --log-format json publishes are events too.
          onReloaded: publishOnChange(model, { line: (...args) => emulator.log.line(...args) }),
        }
      : {}),
  });
  if (json) printNdjson(emulator.events);
  let deployed: Array<DeployedLambdas | DeployedGcpFunctions | DeployedAzureApps> = [];
  let cloud: ServedCloud | undefined;
  const stopAll = async () => {
    // The planes first (no new calls), then what runs deployed code, then the emulator.
    await cloud?.cloud.stop();
    await Promise.all(deployed.map((runner) => runner.close()));
    await emulator.stop();
  };
  try {
    await emulator.start();
    if (options.cloud) {
      const cache = serviceCacheDir(model.serviceDir);
      const code = new DeployedCode(join(cache, 'deployed'));
      const hostedRoot = join(cache, 'hosted');
      const shared = {
        engine: emulator.instanceEngine,
        code,
        logger: emulator.log,
        idleTimeoutMs: options.idleTimeoutSeconds * 1000,
      };
      const lambdas = new DeployedLambdas({ ...shared, defaultConcurrency: options.maxConcurrency });
      const gcp = new DeployedGcpFunctions({
        ...shared,
        hosted: new HostedCode(hostedRoot, ['@google-cloud/functions-framework']),
        defaultMaxInstances: options.maxConcurrency,
      });
      const azure = new DeployedAzureApps({
        ...shared,
        hosted: new HostedCode(hostedRoot, ['@azure/functions']),
      });
      deployed = [lambdas, gcp, azure];
      const cloudHost = options.cloudHost ?? '127.0.0.1';
      if (!isLoopbackHost(cloudHost)) process.stderr.write(`${exposedPlanesWarning(cloudHost)}\n`);
      cloud = await serveCloud(model.serviceDir, {
        host: cloudHost,
        invokers: { aws: lambdas.invoker, gcp: gcp.invoker, azure: azure.invoker },
        ...(options.cloudPort ? { firstPort: options.cloudPort } : {}),
      });
      emulator.attachPlanes(planesView(cloud));
    }
  } catch (error) {
    await stopAll();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      const address = (error as Error).message.replace(/^listen EADDRINUSE: address already in use /, '');
      throw new UserError(`a port is already in use (${address})`, {
        hint: 'Stop what uses it, or pick other ports with --port / --lambda-port / --gcp-port / --azure-port (and --cloud-port with --cloud).',
      });
    }
    throw error;
  }
  // With --log-format json, stdout carries only events: the banner goes to stderr.
  const out = json ? process.stderr : process.stdout;
  if (cloud) out.write(`${cloud.banner}\n`);
  out.write(startBanner(emulator, model, options.watch === true, options.console !== false));
  let stopping: Promise<void> | undefined;
  return { stop: () => (stopping ??= stopAll()) };
}

/** Printed before the planes listen on an address other machines may reach. */
export function exposedPlanesWarning(host: string): string {
  return (
    `faasport: warning: the local control planes listen on ${host} (--cloud-host): whoever reaches it ` +
    'and holds the credentials in .faasport/cloud.json can deploy and run code as you.'
  );
}

function startBanner(
  emulator: Emulator,
  model: ServiceModel,
  watching: boolean,
  withConsole: boolean,
): string {
  const rows = emulator.endpoints().map((endpoint) => [endpoint.name, endpoint.url, endpoint.description]);
  return (
    `faasport emulate: ${model.service} (stage ${model.stage}), ${emulator.functionNames().length} functions on the ${emulator.engineName} engine\n\n` +
    `${formatColumns(['ROUTE', 'URL', 'FUNCTION'], rows)}\n\n` +
    `Recycle a function (next request cold): POST ${emulator.urls.gateway}/__faasport/functions/<name>/recycle\n` +
    (withConsole ? `Console: ${emulator.urls.gateway}${CONSOLE_PATH}\n` : '') +
    `Events (Server-Sent Events): ${emulator.urls.gateway}/__faasport/events\n` +
    (emulator.gcp ? `Google Cloud Functions: ${emulator.urls.gcp}/<function>\n` : '') +
    (emulator.azure ? `Azure Functions: ${emulator.urls.azure}/api/<route>\n` : '') +
    (watching ? `Watching ${model.serviceDir} for changes (hot reload).\n` : '') +
    (emulator.inspected?.functions ?? [])
      .map((fn) => `Debugger: ${fn.name} (${fn.provider}) on 127.0.0.1:${fn.port}\n`)
      .join('') +
    'Ctrl-C stops everything.\n'
  );
}

/**
 * Resolves on the first SIGINT, SIGTERM or SIGHUP (the terminal was closed: instances run in
 * process groups of their own and would outlive it). Later ones are absorbed while the emulator stops (its
 * stop is bounded): a Ctrl-C reaches both `bin/faasport.js` and this process when the wrapper
 * re-ran it, and the wrapper forwards it too — the second copy must not kill a stop half done.
 */
export function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = () => {
      if (received) return;
      received = true;
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
  });
}

/** The planes as the console reads them: in process, not over their HTTP API. */
function planesView(served: ServedCloud): PlanesView {
  const { cloud } = served;
  return {
    requests: () => cloud.requests(),
    deployed: () => [
      ...cloud.lambda.list().map((fn) => ({
        provider: 'aws' as const,
        name: fn.configuration.FunctionName,
        detail: `CodeSha256 ${fn.configuration.CodeSha256}`,
      })),
      ...cloud.gcpPlane.list().map((record) => ({
        provider: 'gcp' as const,
        name: record.function.name,
        detail: record.function.buildConfig?.runtime ?? '',
      })),
      ...cloud.azurePlane.webApps.list().map((site) => ({
        provider: 'azure' as const,
        name: site.name,
        detail: `${site.resourceGroup} · ${site.kind}`,
      })),
    ],
  };
}
