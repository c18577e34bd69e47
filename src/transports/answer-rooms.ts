/**
 * Room for loaded media (net/loaded-media.ts) that a request keeps until its answer has been handed
 * to the transport, not only until its handler returns. resources/read reads a whole file and
 * answers it as base64: that copy lives on in the answer's JSON and its server-sent event after the
 * handler returns, so a burst of large reads given their room back at the handler's return still
 * held several copies of each file at once.
 */
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/sdk/types.js";
import type { LoadRoom } from "../net/loaded-media.js";

/** The id of an answer (a result or an error), if `message` is one. */
function answerId(message: JSONRPCMessage): RequestId | undefined {
  return "id" in message && ("result" in message || "error" in message) ? message.id : undefined;
}

export class AnswerRooms {
  private readonly held = new Map<RequestId, LoadRoom>();

  /**
   * Gives `room` back once the answer to request `id` is sent (or its send fails), or at once when
   * `signal` aborts: a cancelled request, or one whose connection closed, gets no answer. A client
   * that reuses the id of a request still unanswered (a protocol error) gets the earlier one's
   * room back at once: answers are told apart only by id, and a room no answer ends would be held
   * for good, shutting every other caller out.
   */
  holdUntilAnswered(id: RequestId, room: LoadRoom, signal: AbortSignal): void {
    if (signal.aborted) return room.close();
    this.held.get(id)?.close();
    this.held.set(id, room);
    signal.addEventListener("abort", () => this.release(id, room), { once: true });
  }

  /** `transport`, giving each request's room back once its answer is sent. */
  wrap<T extends Transport>(transport: T): T {
    const send = transport.send.bind(transport);
    transport.send = async (message, options) => {
      const id = answerId(message);
      try {
        await send(message, options);
      } finally {
        if (id !== undefined) this.release(id);
      }
    };
    return transport;
  }

  private release(id: RequestId, room?: LoadRoom): void {
    const held = this.held.get(id);
    if (!held || (room && held !== room)) return room?.close();
    this.held.delete(id);
    held.close();
  }
}
