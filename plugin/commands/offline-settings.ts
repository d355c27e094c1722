/**
 * `custom.serverless-offline` of a project moving from serverless-offline: the settings with a
 * faasport equivalent become `sls emulate` flags (the command line still wins); the others are
 * named once, so nothing is silently dropped.
 */
const AS_FLAGS: Record<string, (value: unknown) => string[] | undefined> = {
  httpPort: (value) => [`--port=${String(value)}`],
  lambdaPort: (value) => [`--lambda-port=${String(value)}`],
  websocketPort: (value) => [`--websocket-port=${String(value)}`],
  albPort: (value) => [`--alb-port=${String(value)}`],
  host: (value) => [`--host=${String(value)}`],
  useDocker: (value) => (value === true || value === 'true' ? ['--engine=docker'] : []),
  dockerNetwork: (value) => [`--docker-network=${String(value)}`],
  // serverless-offline's hot reload; faasport reloads by default.
  reloadHandler: () => [],
  // Read by the AWS front end itself from the service model (emulator/providers/aws/apigw/api-settings.ts).
  noPrependStageInUrl: () => [],
};

/** The flag each setting becomes, by the emulate option it sets (to let the command line win). */
const OPTION_OF: Record<string, string> = {
  httpPort: 'port',
  lambdaPort: 'lambda-port',
  websocketPort: 'websocket-port',
  albPort: 'alb-port',
  host: 'host',
  useDocker: 'engine',
  dockerNetwork: 'docker-network',
};

export interface OfflineSettingsArgs {
  argv: string[];
  /** Settings faasport has no equivalent for (see the README's compatibility table). */
  unsupported: string[];
}

export function offlineSettingsArgs(
  settings: Record<string, unknown> | undefined,
  given: (option: string) => boolean,
): OfflineSettingsArgs {
  const argv: string[] = [];
  const unsupported: string[] = [];
  for (const [key, value] of Object.entries(settings ?? {})) {
    const toFlags = AS_FLAGS[key];
    if (!toFlags) {
      unsupported.push(key);
      continue;
    }
    const option = OPTION_OF[key];
    if (value === undefined || value === null || (option && given(option))) continue;
    argv.push(...(toFlags(value) ?? []));
  }
  return { argv, unsupported };
}
