import { homedir } from 'node:os';
import { join } from 'node:path';
import { type CredentialProvider, describedProvider } from './credential';
import { credentialFromConfig, readAuthFile } from './docker-config';
import { runCredentialHelper } from './helper';

export interface DefaultProviderOptions {
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/**
 * Where registry credentials are looked for, in order: docker's config
 * (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`), then the containers auth files
 * skopeo and podman use (`$REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`,
 * `~/.config/containers/auth.json`).
 */
export function credentialFiles(options: DefaultProviderOptions = {}): string[] {
  const env = options.env ?? process.env;
  const home = options.home ?? homedir();
  const files = [
    env.DOCKER_CONFIG ? join(env.DOCKER_CONFIG, 'config.json') : join(home, '.docker', 'config.json'),
  ];
  if (env.REGISTRY_AUTH_FILE) files.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) files.push(join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  files.push(join(home, '.config', 'containers', 'auth.json'));
  return files;
}

/** Docker's and containers' credential files with their credential helpers; the first hit wins. */
export function defaultCredentialProvider(options: DefaultProviderOptions = {}): CredentialProvider {
  const files = credentialFiles(options);
  const env = options.env ?? process.env;
  return describedProvider(
    async (registry) => {
      for (const file of files) {
        const config = await readAuthFile(file);
        if (!config) continue;
        const found = await credentialFromConfig(config, registry, file, (suffix, server) =>
          runCredentialHelper(suffix, server, { env }),
        );
        if (found) return found;
      }
      return undefined;
    },
    `${files.join(', ')} (auths, credHelpers, credsStore)`,
  );
}
