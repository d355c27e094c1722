import type { Shape } from '../../artifact/manifest/classify';

/** An artefact reference resolved for one platform: what the planner diffs and the deployer ships. */
export interface ResolvedSource {
  /** The reference as written. */
  reference: string;
  /** Digest of what the reference points to (manifest or index): recorded on the deployed function. */
  digest: string;
  /** The platform manifest (equals `digest` unless the reference is an index). */
  manifestDigest: string;
  shape: Shape;
  platform?: string;
  /** The zip layer of a zip artefact: the deployment package, byte for byte. */
  zip?: { digest: string; size: number; mediaType: string };
}
