import type { ChainableCommander } from "ioredis";

/**
 * Sends a pipeline or transaction and returns its replies in order. ioredis resolves `exec()` with
 * each command's error beside its reply (and with null for a discarded transaction), so a batch
 * sent while the connection is down would otherwise look like it succeeded: this rejects with the
 * first command's error instead, for the store's `run`/`retry` to report as Redis unavailable.
 */
export async function execAll(batch: ChainableCommander): Promise<unknown[]> {
  const replies = await batch.exec();
  if (!replies) throw new Error("the Redis transaction was discarded");
  const failed = replies.find(([err]) => err)?.[0];
  if (failed) throw failed;
  return replies.map(([, reply]) => reply);
}
