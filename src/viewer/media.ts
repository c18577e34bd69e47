/// <reference lib="dom" />
/**
 * Media bytes in the view: read only through resources/read of the asset's media:// URI (never the
 * vendor URL), shown as data: URIs (the default MCP Apps CSP allows data: for img and media, not
 * blob:). Images and audio are read once each; a file over the cap is not read at all. At most one
 * video's bytes are held: a video is read when its play button is pressed (or at once when it is the
 * only one), and starting another drops the previous one's data URI. A redraw of the same result
 * (a status update, a refresh) moves the started video's player into the new card as it is, playing
 * or not, rather than reading its bytes again.
 */
import { h, put } from "./dom.js";
import { base64Bytes, dataUri, formatBytes } from "./format.js";
import type { Asset } from "./types.js";

/** Largest image or audio file read into the view. */
export const IMAGE_CAP_BYTES = 20_000_000;
/** Largest video read into the view (only one is ever held). */
export const VIDEO_CAP_BYTES = 60_000_000;

/** The video whose bytes are held: its player box, element, and how to let go of its data. */
interface StartedVideo {
  uri: string;
  box: HTMLElement;
  video: HTMLVideoElement;
  release: () => void;
}

export type ReadResource = (uri: string) => Promise<{ mimeType?: string; blob?: string }>;

export class MediaView {
  private readonly cache = new Map<string, Promise<string>>();
  private current?: StartedVideo;
  /** The started video during a redraw, until the new card takes it (video()) or does not (settle()). */
  private carried?: StartedVideo;
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

  private tooBig(a: Asset, cap: number): HTMLElement | undefined {
    if (a.bytes <= cap) return undefined;
    return h("p", { class: "too-big" }, `${formatBytes(a.bytes)}: too large to show here. `, a.path ?? a.uri);
  }

  private failed(box: Element, a: Asset, e: unknown): void {
    // The host's and the SDK's wrappers add "MCP error -32603: MCP error -32002: " before the server's words.
    const why = (e instanceof Error ? e.message : String(e)).replace(/^(MCP error -?\d+: )+/, "");
    // A changed file is read from the bucket's copy (render.ts), not from its path.
    const text =
      a.file === "changed"
        ? `Could not read the bucket's copy (${a.uri}): ${why.trimEnd().replace(/\.$/, "")}. The file in the output folder was changed after it was saved.`
        : `Could not read ${a.path ?? a.uri}: ${why}`;
    put(box, h("p", { class: "media-error" }, text));
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
    const kept = this.carried;
    if (kept?.uri === a.uri) {
      // Moved within this task, the element is never out of the document: it keeps playing where it was.
      this.carried = undefined;
      this.current = kept;
      return kept.box;
    }
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
      this.current = { uri: a.uri, box, video, release };
      button.remove();
      try {
        const src = await this.load(a);
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
   * Before a render. `redraw` (the same result drawn again): the started video is kept for the new
   * card (settle() after it); `result` (another result): it lets go of its data; `teardown`: so
   * does everything.
   */
  release(scope: "redraw" | "result" | "teardown"): void {
    this.settle();
    if (scope === "redraw") this.carried = this.current;
    else this.current?.release();
    this.current = undefined;
    this.closeLightbox();
    if (scope === "teardown") this.cache.clear();
  }

  /** After a render: a started video the new card did not take lets go of its data. */
  settle(): void {
    this.carried?.release();
    this.carried = undefined;
  }
}
