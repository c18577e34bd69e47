/**
 * The tool calls this process is answering, each with a signal that aborts when its client cancels
 * it or when the server stops them all at the end of a shutdown's grace (src/main.ts). A call that
 * makes no job (a chat, an embedding) has nothing else to stop it, and its client would otherwise
 * get no answer when the connection closes.
 */

/** The abort reason of the calls a shutdown stopped: a wait then answers the job as it stands, a vendor request says it was interrupted. */
export class ServerStopping extends Error {
  constructor() {
    super("the server is shutting down");
    this.name = "ServerStopping";
  }
}

/** Whether `signal` was aborted because the server stops (not by the client). */
export const stoppedByServer = (signal: AbortSignal | undefined): boolean => signal?.reason instanceof ServerStopping;

/**
 * The abort reason of the calls of a connection or session that closed. MCP does not take a
 * disconnection for a cancellation (only `notifications/cancelled` is one), so the call stops, but
 * a job it started goes on.
 */
export class ConnectionClosed extends Error {
  constructor() {
    super("the client's connection or session closed");
    this.name = "ConnectionClosed";
  }
}

/** Whether `signal` was aborted because its connection or session closed (not cancelled). */
export const connectionClosed = (signal: AbortSignal | undefined): boolean => signal?.reason instanceof ConnectionClosed;

const closing = new WeakSet<object>();

/** Says that the transport of `owner` (an MCP server) closes: its calls' aborts from now on are ConnectionClosed. */
export function transportClosing(owner: object): void {
  closing.add(owner);
}

export class OpenCalls {
  private readonly open = new Set<AbortController>();

  /** `onCount` is told how many calls are open after each start and end. */
  constructor(private readonly onCount: (open: number) => void = () => undefined) {}

  /**
   * A signal for one call that follows `client`'s (ConnectionClosed when it aborts because the
   * transport of `owner` closes); `end()` once the call has answered.
   */
  start(client: AbortSignal, owner?: object): { signal: AbortSignal; end: () => void } {
    const c = new AbortController();
    const follow = () => c.abort(owner && closing.has(owner) ? new ConnectionClosed() : client.reason);
    if (client.aborted) follow();
    else client.addEventListener("abort", follow, { once: true });
    this.open.add(c);
    this.onCount(this.open.size);
    return {
      signal: c.signal,
      end: () => {
        client.removeEventListener("abort", follow);
        if (this.open.delete(c)) this.onCount(this.open.size);
      },
    };
  }

  /** Aborts every call still open with `ServerStopping`. */
  stopAll(): void {
    const reason = new ServerStopping();
    for (const c of this.open) c.abort(reason);
  }
}
