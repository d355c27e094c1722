/**
 * What faasport keeps in a service folder: the one list of its `.faasport/*` paths. Relative to
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
  /** Unpacked function code, one folder per zip digest (the emulator's). */
  code: `${LOCAL_STATE_DIR}/code`,
  /** Code folders with the libraries a runtime host adds (functions-framework, Azure worker). */
  hosted: `${LOCAL_STATE_DIR}/hosted`,
  /** Code deployed to the local control planes, unpacked once per zip. */
  deployed: `${LOCAL_STATE_DIR}/deployed`,
  /** What the local control planes record (deployed functions, sites). */
  cloud: `${LOCAL_STATE_DIR}/cloud`,
  /** Where the local control planes listen: `faasport emulate --cloud` writes it, `--local-cloud .` reads it. */
  cloudFile: `${LOCAL_STATE_DIR}/cloud.json`,
  /** The deploy planner's cache of resolved references (digest, platform). */
  resolvedCache: `${LOCAL_STATE_DIR}/cache/resolved`,
} as const;
