/**
 * Newline-delimited input split into lines with a per-line cap: the one line reader of the stdio
 * transport (src/transports/stdio.ts) and of the entry's early answers (src/early-answers.ts), which
 * cannot load the SDK. Past the cap a line is not kept: only its first and last EDGE bytes (where a
 * request's id is), so one huge line costs no memory.
 */

/** The bytes kept at each end of a line over the cap. */
const EDGE = 512;

export interface LineSink {
  /** A complete line within the cap, decoded as UTF-8, without its `\r\n` or `\n`; blank lines are skipped. `bytes`: its size. */
  line(text: string, bytes: number): void;
  /** A complete line over the cap: its size, and its first and last EDGE bytes as latin1. */
  oversized(bytes: number, head: string, tail: string): void;
}

export class LineReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private over = false;
  private head = Buffer.alloc(0);
  private tail = Buffer.alloc(0);

  constructor(
    private readonly maxBytes: number,
    private readonly sink: LineSink,
  ) {}

  /** Splits `chunk` at its newlines: each line it completes goes to the sink, the rest waits for the next chunk. */
  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      this.take(chunk.subarray(start, nl === -1 ? chunk.length : nl));
      if (nl === -1) return;
      this.endOfLine();
      start = nl + 1;
    }
  }

  /** Drops the part of a line read so far. */
  clear(): void {
    this.chunks = [];
    this.size = 0;
    this.over = false;
    this.head = this.tail = Buffer.alloc(0);
  }

  /** Adds part of the current line; past the cap only the first and last bytes are kept (to find the request id). */
  private take(piece: Buffer): void {
    if (!piece.length) return;
    this.size += piece.length;
    if (!this.over && this.size > this.maxBytes) {
      this.over = true;
      this.head = Buffer.concat([...this.chunks, piece.subarray(0, EDGE)]).subarray(0, EDGE);
      this.chunks = [];
    }
    if (!this.over) {
      this.chunks.push(piece);
      return;
    }
    this.tail = piece.length >= EDGE ? Buffer.from(piece.subarray(-EDGE)) : Buffer.concat([this.tail, piece]).subarray(-EDGE);
  }

  private endOfLine(): void {
    const { chunks, size, over, head, tail } = this;
    this.clear();
    if (over) return this.sink.oversized(size, head.toString("latin1"), tail.toString("latin1"));
    const line = Buffer.concat(chunks, size).toString("utf8").replace(/\r$/, "");
    if (line.trim()) this.sink.line(line, size);
  }
}
