/**
 * The bytes of outputs this process has just saved, held for the answer that embeds them
 * (tools/delivery.ts), so a fresh result is not read back from the disk or the bucket: one open,
 * read and close less per embedded file, on the path of every call that waits for its output.
 * Only files within the embed budget, at most TOTAL_BYTES in all, each taken once or dropped after
 * KEEP_MS, and only where results embed by default (AIGC_MCP_DELIVERY embed); anything not held
 * here is read back as before.
 */
import type { Asset } from "../jobs/types.js";

const TOTAL_BYTES = 16 * 1024 * 1024;
/** The answer that embeds a file comes right after it is saved; a job nobody waits on is read back later. */
const KEEP_MS = 15_000;

interface Held {
  sha256: string;
  data: Buffer;
  at: number;
}

export class FreshBytes {
  private readonly held = new Map<string, Held>();
  private total = 0;
  private timer: NodeJS.Timeout | undefined;

  /** `maxFileBytes`: the largest file worth holding (the embed budget); 0 holds nothing. */
  constructor(readonly maxFileBytes: number) {}

  /** Collects one file's chunks as they stream (giving up once it is over the limit), to hold it once saved. */
  collector(): { add(chunk: Buffer): void; hold(uri: string, sha256: string): void } {
    let chunks: Buffer[] | undefined = this.maxFileBytes > 0 ? [] : undefined;
    let size = 0;
    return {
      add: (chunk) => {
        if (!chunks) return;
        size += chunk.length;
        if (size > this.maxFileBytes) chunks = undefined;
        else chunks.push(chunk);
      },
      hold: (uri, sha256) => chunks && this.hold(uri, sha256, Buffer.concat(chunks, size)),
    };
  }

  /** Holds a saved file's bytes under its media:// URI. */
  hold(uri: string, sha256: string, data: Buffer): void {
    if (!data.length || data.length > this.maxFileBytes) return;
    this.drop(uri);
    this.held.set(uri, { sha256, data, at: Date.now() });
    this.total += data.length;
    this.prune();
  }

  /** The held bytes of an asset (removed from here), when they are the ones it was saved with. */
  take(asset: Pick<Asset, "uri"> & Partial<Pick<Asset, "sha256" | "bytes">>): Buffer | undefined {
    const h = this.drop(asset.uri);
    if (!h) return undefined;
    const same = (asset.sha256 === undefined || asset.sha256 === h.sha256) && (asset.bytes === undefined || asset.bytes === h.data.length);
    return same ? h.data : undefined;
  }

  private drop(uri: string): Held | undefined {
    const h = this.held.get(uri);
    if (h) {
      this.held.delete(uri);
      this.total -= h.data.length;
    }
    return h;
  }

  private prune(): void {
    const old = Date.now() - KEEP_MS;
    // A Map iterates in insertion order: the oldest first.
    for (const [uri, h] of this.held) {
      if (h.at > old && this.total <= TOTAL_BYTES) break;
      this.drop(uri);
    }
    clearTimeout(this.timer);
    this.timer = this.held.size ? setTimeout(() => this.prune(), KEEP_MS).unref() : undefined;
  }
}
