import { BlobSASPermissions, type BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { isNotFound } from './arm-retry';
import type { StorageAccess } from './azure-clients';

/** How long a local package SAS stays valid: the app re-reads its package at every restart. */
const SAS_LIFETIME_MS = 365 * 24 * 3600 * 1000;

export interface StagedPackage {
  /** The blob URL, without any token: safe to print. */
  url: string;
  /** What WEBSITE_RUN_FROM_PACKAGE gets: the URL with a read SAS, or the bare URL (identity). */
  settingValue: string;
  uploaded: boolean;
}

/**
 * Stages zips as digest-named blobs (`<site>/sha256-<hex>.zip`): the same bytes are uploaded once,
 * and a new package is a new URL, so the setting change restarts the app (an overwritten blob of
 * the same name would not be picked up without a restart).
 */
export class BlobStaging {
  private containerReady: Promise<void> | undefined;
  private readonly staged = new Map<string, Promise<StagedPackage>>();

  constructor(
    private readonly blobs: BlobServiceClient,
    private readonly access: StorageAccess,
    readonly container: string,
  ) {}

  static blobNameFor(site: string, zipDigest: string): string {
    return `${site}/${zipDigest.replace(':', '-')}.zip`;
  }

  stage(site: string, zipDigest: string, bytes: () => Promise<Buffer>, size: number): Promise<StagedPackage> {
    const name = BlobStaging.blobNameFor(site, zipDigest);
    let staging = this.staged.get(name);
    if (!staging) {
      staging = this.upload(name, bytes, size);
      this.staged.set(name, staging);
      staging.catch(() => this.staged.delete(name));
    }
    return staging;
  }

  private client(): ContainerClient {
    return this.blobs.getContainerClient(this.container);
  }

  private async upload(name: string, bytes: () => Promise<Buffer>, size: number): Promise<StagedPackage> {
    await this.ensureContainer();
    const blob = this.client().getBlockBlobClient(name);
    let uploaded = false;
    try {
      const properties = await blob.getProperties();
      if (properties.contentLength !== size)
        throw Object.assign(new Error('size differs'), { statusCode: 404 });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      const body = await bytes();
      await blob.uploadData(body, { blobHTTPHeaders: { blobContentType: 'application/zip' } });
      uploaded = true;
    }
    if (this.access.kind === 'managed-identity') return { url: blob.url, settingValue: blob.url, uploaded };
    const settingValue = await blob.generateSasUrl({
      permissions: BlobSASPermissions.parse('r'),
      startsOn: new Date(Date.now() - 5 * 60_000),
      expiresOn: new Date(Date.now() + SAS_LIFETIME_MS),
    });
    return { url: blob.url, settingValue, uploaded };
  }

  private ensureContainer(): Promise<void> {
    this.containerReady ??= this.client()
      .createIfNotExists()
      .then(() => undefined);
    this.containerReady.catch(() => {
      this.containerReady = undefined;
    });
    return this.containerReady;
  }
}
