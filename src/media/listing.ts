/** resources/list: the job store's recent outputs that `MediaStore.resolve` would serve. */
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import type { GeneratedMedia } from "../jobs/store.js";
import { mimeForExt } from "./sniff.js";
import { SAFE_NAME } from "./media-uri.js";
import type { MediaStore } from "./store.js";

export interface Listed {
  name: string;
  uri: string;
  mime?: string;
  bytes?: number;
}

/**
 * Up to `limit` generated files, newest first, as `resolve` serves them: in the output folder at
 * the size generated, else the bucket's copy while the bucket holds it. Throws the job store's error.
 */
export async function listServable(media: MediaStore, limit: number): Promise<Listed[]> {
  const out: Listed[] = [];
  const all = (await media.recent(Math.min(limit * 4, 1000))).filter((e) => SAFE_NAME.test(e.name) && !e.name.includes(".."));
  // A page at a time, side by side: a bucket-only entry may cost a HEAD (is the object still there?).
  for (let i = 0; i < all.length && out.length < limit; i += limit) {
    for (const item of await Promise.all(all.slice(i, i + limit).map((e) => listed(media, e)))) if (item) out.push(item);
  }
  return out.slice(0, limit);
}

async function listed(media: MediaStore, e: GeneratedMedia): Promise<Listed | undefined> {
  const s = await lstat(join(media.dir, e.name)).catch(() => undefined);
  const item = { name: e.name, uri: media.uriFor(e.name), mime: mimeForExt(e.name.split(".").pop() ?? "") };
  if (s?.isFile() && (e.bytes === undefined || s.size === e.bytes)) return { ...item, bytes: s.size };
  if (media.bucket && e.storage !== "local" && (await media.bucket.holds(e.name))) return { ...item, bytes: e.bytes };
  return undefined;
}
