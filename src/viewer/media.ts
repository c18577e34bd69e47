/// <reference lib="dom" />
/**
 * Media bytes in the view: read only through resources/read of the asset's media:// URI (never the
 * vendor URL), shown as data: URIs (the default MCP Apps CSP allows data: for img and media, not
 * blob:). Images and audio are read once each; a file over the cap is not read at all. At most one
 * video's bytes are held: a video is read when its play button is pressed (or at once when it is the
 * only one), starting another drops the previous one's data URI, and a redraw of the same result
 * (a status update, a refresh) reuses the held bytes rather than reading them again.
 */
import { h, put } from "./dom.js";
import { base64Bytes, dataUri, formatBytes } from "./format.js";
import type { Asset } from "./types.js";

/** Largest image or audio file read into the view. */
export const IMAGE_CAP_BYTES = 20_000_000;
/** Largest video read into the view (only one is ever held). */
export const VIDEO_CAP_BYTES = 60_000_000;

export type ReadResource = (uri: string) => Promise<{ mimeType?: string; blob?: string }>;

export class MediaView {
  private readonly cache = new Map<string, Promise<string>>();
  private current?: { video: HTMLVideoElement; release: () => void };
  /** The data URI of the video read last (the one held); kept across redraws of the same result. */
  private held?: { uri: string; src: Promise<string> };
  private lightbox?: HTMLElement;

  /** `onFailed` hears of each read that failed (the result may predate the file's removal). */
  constructor(
    private readonly read: ReadResource,
    private readonly onFailed: (a: Asset) => void = () => undefined,
  ) {
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape") this.closeLightbox();
    });
  }

  private async load(a: Asset): Promise<string> {
    const r = await this.read(a.uri);
    if (!r.blob) throw new Error("the server sent no bytes");
    // The server serves only the size generated where its store recorded it (Redis entries from before
    // that may lack it): other bytes are a file changed since (failed() asks get_job).
    const got = base64Bytes(r.blob);
    if (got !== a.bytes) throw new Error(`the file there is ${got} bytes, not the ${a.bytes} generated`);
    return dataUri(r.mimeType ?? a.mime_type, r.blob);
  }

  /** Images and audio: one read per URI for the life of the view. */
  private cached(a: Asset): Promise<string> {
    let p = this.cache.get(a.uri);
    if (!p) {
      p = this.load(a);
      this.cache.set(a.uri, p);
      p.catch(() => this.cache.delete(a.uri)); // a failed read may be tried again on the next render
    }
    return p;
  }

  private heldVideo(a: Asset): Promise<string> {
    if (this.held?.uri !== a.uri) {
      const src = this.load(a);
      this.held = { uri: a.uri, src };
      src.catch(() => {
        if (this.held?.src === src) this.held = undefined;
      });
    }
    return this.held.src;
  }

  private tooBig(a: Asset, cap: number): HTMLElement | undefined {
    if (a.bytes <= cap) return undefined;
    return h("p", { class: "too-big" }, `${formatBytes(a.bytes)}: too large to show here. `, a.path ?? a.uri);
  }

  private failed(box: Element, a: Asset, e: unknown): void {
    // The host's and the SDK's wrappers add "MCP error -32603: MCP error -32002: " before the server's words.
    const why = (e instanceof Error ? e.message : String(e)).replace(/^(MCP error -?\d+: )+/, "");
    put(box, h("p", { class: "media-error" }, `Could not read ${a.path ?? a.uri}: ${why}`));
    this.onFailed(a);
  }

  image(a: Asset): HTMLElement {
    const big = this.tooBig(a, IMAGE_CAP_BYTES);
    if (big) return big;
    const img = h("img", { alt: a.path ?? a.uri, decoding: "async" });
    const box = h(
      "button",
      { class: "thumb", type: "button", title: "Enlarge", onclick: () => img.src && this.openLightbox(img.src) },
      img,
    );
    this.cached(a).then(
      (src) => (img.src = src),
      (e: unknown) => this.failed(box, a, e),
    );
    return box;
  }

  audio(a: Asset): HTMLElement {
    const big = this.tooBig(a, IMAGE_CAP_BYTES);
    if (big) return big;
    const el = h("audio", { controls: true, preload: "metadata" });
    const box = h("div", { class: "audio" }, el);
    this.cached(a).then(
      (src) => (el.src = src),
      (e: unknown) => this.failed(box, a, e),
    );
    return box;
  }

  /** A video player; `now` reads it at once (the only video of a result), else on the play button. */
  video(a: Asset, now: boolean): HTMLElement {
    const big = this.tooBig(a, VIDEO_CAP_BYTES);
    if (big) return big;
    const video = h("video", { controls: true, playsInline: true, preload: "auto" });
    const box = h("div", { class: "player" }, video);
    const button = h("button", { class: "play", type: "button", onclick: () => void start(true) }, `▶ Play (${formatBytes(a.bytes)})`);
    const release = () => {
      video.pause();
      video.removeAttribute("src");
      video.load(); // lets the media element drop the decoded data
      box.append(button);
    };
    const start = async (play: boolean) => {
      if (this.current?.video === video) return;
      this.current?.release();
      this.current = { video, release };
      button.remove();
      try {
        const src = await this.heldVideo(a);
        if (this.current?.video !== video) return; // another video was started meanwhile
        video.src = src;
        if (play) await video.play().catch(() => undefined); // autoplay refused: the controls remain
      } catch (e) {
        if (this.current?.video === video) this.current = undefined;
        this.failed(box, a, e);
      }
    };
    if (now) void start(false);
    else box.append(button);
    return box;
  }

  private openLightbox(src: string): void {
    this.closeLightbox();
    this.lightbox = h("div", { class: "lightbox", role: "dialog", onclick: () => this.closeLightbox() }, h("img", { src, alt: "" }));
    document.body.append(this.lightbox);
  }

  private closeLightbox(): void {
    this.lightbox?.remove();
    this.lightbox = undefined;
  }

  /**
   * Before a render. `redraw` (the same result drawn again): the video element being replaced lets
   * go of its data, the held bytes stay for its successor; `result` (another result): the held video
   * goes too; `teardown`: everything goes.
   */
  release(scope: "redraw" | "result" | "teardown"): void {
    this.current?.release();
    this.current = undefined;
    this.closeLightbox();
    if (scope !== "redraw") this.held = undefined;
    if (scope === "teardown") this.cache.clear();
  }
}
