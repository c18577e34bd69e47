/** Reading a media input's bytes: its cap, room to read it (net/loaded-media.ts), the read and the checks of what was read. */
import { stat } from "node:fs/promises";
import { inputError } from "../errors.js";
import type { CallLimits } from "../net/call-limits.js";
import type { InputPolicy, InputRule, MediaInput } from "./inputs.js";
import { readOpened, type OpenedFile } from "./open-file.js";
import { sniffBytes } from "./sniff.js";

/** The most bytes `rule` takes here. */
export function capOf(rule: InputRule, policy: InputPolicy): number {
  return Math.min(rule.maxBytes ?? Infinity, policy.maxBytes);
}

/** A file's size now, 0 when it cannot be read (the open that follows says why). */
export async function sizeAt(path: string): Promise<number> {
  return (await stat(path).catch(() => undefined))?.size ?? 0;
}

/**
 * Waits, before a file or download of `bytes` is read, for room in the call's LoadRoom
 * (net/loaded-media.ts); one over the rule's cap is refused by the read, without waiting. A download
 * whose size was not announced is counted as the cap.
 */
export async function roomToRead(bytes: number | "unannounced", rule: InputRule, policy: InputPolicy, limits?: CallLimits): Promise<void> {
  const cap = capOf(rule, policy);
  const size = bytes === "unannounced" ? cap : bytes;
  const note = bytes === "unannounced" ? ": its size was not announced, so the field's limit" : "";
  if (limits?.loads && size <= cap) await limits.loads.take(size, rule.field, limits.signal, limits.deadlineMs, note);
}

/** An opened file's bytes, when its size is within the limits; closes it. */
export async function readWhole(file: OpenedFile, what: string, rule: InputRule, policy: InputPolicy): Promise<Buffer> {
  try {
    const cap = capOf(rule, policy);
    if (file.size > cap) throw inputError(rule.field, `${what} is ${file.size} bytes; the limit is ${cap}`);
    // A file that says it is empty is not read: /proc's files say so and may never end (or block).
    if (file.size === 0) throw inputError(rule.field, `${what} holds no data (its size is 0)`);
    return await readOpened(file, file.size);
  } finally {
    await file.fh.close().catch(() => undefined);
  }
}

export async function checkBytes(data: Buffer, rule: InputRule, policy: InputPolicy, what: string): Promise<MediaInput> {
  const cap = capOf(rule, policy);
  if (!data.length) throw inputError(rule.field, `${what} holds no data`);
  if (data.length > cap) throw inputError(rule.field, `${what} is ${data.length} bytes; the limit is ${cap}`);
  const sniffed = await sniffBytes(data.subarray(0, 64 * 1024));
  if (!sniffed || !rule.accept.includes(sniffed.kind)) {
    throw inputError(
      rule.field,
      `${what} is ${sniffed ? sniffed.mime : "not a recognised media file"}; expected ${rule.accept.join(" or ")}`,
    );
  }
  if (rule.mimes && !rule.mimes.includes(sniffed.mime)) {
    throw inputError(rule.field, `${what} is ${sniffed.mime}; allowed: ${rule.mimes.join(", ")}`);
  }
  return { kind: "bytes", data, mime: sniffed.mime, ...(sniffed.width ? { width: sniffed.width, height: sniffed.height } : {}) };
}
