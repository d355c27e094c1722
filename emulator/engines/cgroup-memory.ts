import { readFile } from 'node:fs/promises';

/**
 * Peak memory of a container, read from its cgroup on this host (v1 and v2, cgroupfs and systemd
 * drivers). Reading a file costs microseconds where the engine's stats API takes a second or
 * more; when the engine is remote the files are absent and the answer is undefined.
 */
export async function containerPeakMemoryBytes(containerId: string): Promise<number | undefined> {
  const candidates = [
    `/sys/fs/cgroup/memory/docker/${containerId}/memory.max_usage_in_bytes`,
    `/sys/fs/cgroup/memory/system.slice/docker-${containerId}.scope/memory.max_usage_in_bytes`,
    `/sys/fs/cgroup/docker/${containerId}/memory.peak`,
    `/sys/fs/cgroup/system.slice/docker-${containerId}.scope/memory.peak`,
  ];
  for (const file of candidates) {
    try {
      const value = Number((await readFile(file, 'utf8')).trim());
      if (Number.isFinite(value)) return value;
    } catch {
      // not this layout
    }
  }
  return undefined;
}
