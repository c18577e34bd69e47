/**
 * Vendor task callbacks (AIGC_MCP_TASK_CALLBACKS, with AIGC_MCP_PUBLIC_URL): Ark and Kling POST a
 * task's state to the `callback_url` its create carried [Ark: OFF ARK-DOC-VID §Webhook; Kling: OFF
 * KL-CN `callback-protocol.md`]. The server takes a callback only as news that a task changed: the
 * job this process follows for that task polls the vendor at once instead of at its next scheduled
 * poll. Nothing in the body is believed (the poll's answer is), so a forged callback could cause one
 * early poll at most; the URL's signature keeps anyone the URL was not given to from sending even that.
 */
import { hmac, publicPaths, sameSignature, stepOf } from "../media/signed-url.js";

export class TaskCallbacks {
  /** `<public path>/callbacks/<vendor>` and `/callbacks/<vendor>` (a proxy may keep or strip the prefix). */
  private readonly paths: RegExp[];

  /**
   * @param publicUrl externally reachable base URL of the HTTP server, without a trailing slash
   * @param secret HMAC key (AIGC_MCP_MEDIA_URL_SECRET; the signed text differs from a download URL's)
   */
  constructor(
    readonly publicUrl: string,
    private readonly secret: string,
  ) {
    this.paths = publicPaths(publicUrl, "callbacks", "[a-z]+");
  }

  /** `<public url>/callbacks/<vendor>?sig=…`: the callback_url sent with each of that vendor's task creates. */
  url(vendor: string): string {
    return `${this.publicUrl}/callbacks/${vendor}?sig=${this.sign(vendor)}`;
  }

  /** The vendor a request path is a callback of, or undefined. */
  vendorFromPath(path: string): string | undefined {
    return stepOf(this.paths, path);
  }

  /** Whether `sig` is this server's signature of `vendor`'s callback URL. */
  verify(vendor: string, sig: string | null): boolean {
    return sameSignature(sig ?? "", this.sign(vendor));
  }

  private sign(vendor: string): string {
    return hmac(this.secret, `task-callback\n${vendor}`);
  }
}

/**
 * The task id a callback body names: Ark's task object (`id`), Kling's flat (`task_id`) or wrapped
 * (`data.task_id`) envelope [vendor-apis.md: the Kling docs disagree on the envelope], or the new
 * standard's `id`. Undefined when it names none.
 */
export function callbackTaskId(body: unknown): string | undefined {
  const o = (body ?? {}) as Record<string, unknown>;
  const data = (typeof o.data === "object" && o.data !== null ? o.data : {}) as Record<string, unknown>;
  for (const v of [o.task_id, o.id, data.task_id, data.id]) if (typeof v === "string" && v) return v;
  return undefined;
}

/** The callbacks of this server when they are on (a public URL and AIGC_MCP_TASK_CALLBACKS), else undefined. */
export function taskCallbacks(core: { publicMedia?: { url: string; secret: string }; taskCallbacks: boolean }): TaskCallbacks | undefined {
  return core.publicMedia && core.taskCallbacks ? new TaskCallbacks(core.publicMedia.url, core.publicMedia.secret) : undefined;
}
