/**
 * What faasport keeps in a service folder: the one list of its `.faasport/*` paths. Unpacked code
 * is not here but in the user's cache (emulator/code/cache-dir.ts): copies of the user's files in
 * their own tree would be found by their tools. Relative to
 * the service folder and written with `/` (an `oci:` reference needs them so; `join` turns them
 * into the platform's separators).
 */
export const LOCAL_STATE_DIR = '.faasport';

export const LOCAL_STATE = {
  /**
   * The OCI image layout a function without sourceArtifact is published to and deployed from
   * (`oci:.faasport/store:<function>`, unless `provider.localStore` says otherwise); the emulator
   * packs local source and caches pulled artefacts here.
   */
  store: `${LOCAL_STATE_DIR}/store`,
  /** What the local control planes record (deployed functions, sites). */
  cloud: `${LOCAL_STATE_DIR}/cloud`,
  /** Where the local control planes listen: `faasport emulate --cloud` writes it, `--local-cloud .` reads it. */
  cloudFile: `${LOCAL_STATE_DIR}/cloud.json`,
  /** The deploy planner's cache of resolved references (digest, platform). */
  resolvedCache: `${LOCAL_STATE_DIR}/cache/resolved`,
} as const;
