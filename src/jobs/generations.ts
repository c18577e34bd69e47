/**
 * Small JSON values shared by every process on one folder, changed atomically without a lock:
 * a value is a chain of generations, the highest n being the value now. Every change creates
 * generation n+1 whole and exclusively (a temp file hard-linked into place: link() fails when the
 * name exists), so of processes that read the same generation exactly one moves it on (a
 * compare-and-swap), the others read again. A value is never seen half-written, and a process that
 * dies holds nothing (no stale lock to take over). Used by the file store's download leases, the
 * spend ledger and the idempotency keys.
 *
 * Two layouts. `flat`: `<dir>/<name>.<n>.json`, for few names (the ledger's months): finding a
 * name's generations lists the whole folder. `folders`: `<dir>/<name>/<n>.json`, for a name per call
 * (leases, keys): listing the folder of 10 000 names took ~10 ms of CPU and stalled the event loop
 * ~7 ms, several times per call (and once per name in a sweep), so each name lists only its own.
 */
import { readdir, rmdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { createWhole } from "../media/disk.js";
import { fileName, flatEntry, gens, listFlat, readJson } from "./generation-files.js";

export interface Generation<T> {
  /** 0 when there is none in this layout (`value` may still come from an earlier flat layout). */
  gen: number;
  value?: T;
}

export interface GenerationsOptions<T> {
  /**
   * `flat` (default) or `folders` (see above). `folders-after-flat`: `folders`, and a name without
   * generations there is read from the flat layout earlier releases wrote (read only: its next
   * change starts the name's folder), so values written before an upgrade keep counting.
   */
  layout?: "flat" | "folders" | "folders-after-flat";
  /** Remember the last value written per name (for few names, such as the ledger's months). */
  keepLast?: boolean;
  /**
   * Each attempt applies its batch to one copy of the value made by `draft`, which the changes may
   * modify in place and return (a large value is then copied once per write, not once per change);
   * a change must not modify it and then throw or return no value.
   */
  draft?: (value: T | undefined) => T;
}

export class Generations<T> {
  /**
   * The generation this instance wrote last, per name, with its value: what the next update of that
   * name builds on without reading it back. When another process has moved the value on since, the
   * exclusive create of the next generation fails (or a higher one is found) and the update reads
   * the value afresh, as after any lost race.
   */
  private readonly last = new Map<string, Required<Generation<T>>>();
  private readonly keepLast: boolean;
  private readonly draft?: (value: T | undefined) => T;
  private readonly folders: boolean;
  /** `folders-after-flat`: the flat layout's names and their highest generation, listed once (only a sweep removes them). */
  private flat?: Promise<Map<string, number>>;

  constructor(
    readonly dir: string,
    options: GenerationsOptions<T> = {},
  ) {
    this.keepLast = options.keepLast ?? false;
    this.draft = options.draft;
    this.folders = (options.layout ?? "flat") !== "flat";
    if (options.layout !== "folders-after-flat") this.flat = Promise.resolve(new Map());
  }

  /** The generations of `name`, highest first. */
  async list(name: string): Promise<number[]> {
    if (this.folders) {
      const names = await readdir(this.folder(name)).catch(() => [] as string[]);
      return gens(names, "");
    }
    return gens(await readdir(this.dir).catch(() => [] as string[]), `${fileName(name)}.`);
  }

  /** The names with at least one generation (in either layout). */
  async names(): Promise<string[]> {
    const entries = await readdir(this.dir, { withFileTypes: true }).catch(() => []);
    const out = new Set<string>();
    for (const e of entries) {
      if (this.folders && e.isDirectory() && !e.name.startsWith(".")) out.add(e.name);
      if (!this.folders) out.add(flatEntry(e.name)?.name ?? "");
    }
    for (const n of (await this.flatNames()).keys()) out.add(n);
    out.delete("");
    return [...out];
  }

  /** The highest generation and its value (a generation removed while being read is looked up again). */
  async read(name: string): Promise<Generation<T>> {
    for (let attempt = 0; ; attempt++) {
      const gen = (await this.list(name))[0] ?? 0;
      if (!gen) return this.readFlat(name);
      const value = await readJson<T>(this.file(name, gen));
      if (value !== undefined || attempt >= 5) return { gen, ...(value !== undefined ? { value } : {}) };
    }
  }

  /** Creates generation `gen + 1` unless another process did; true when it is then the highest (and the lower ones are removed). */
  async write(name: string, gen: number, value: T): Promise<boolean> {
    if (!(await createWhole(this.dir, this.file(name, gen + 1), JSON.stringify(value)))) return false;
    const list = await this.list(name);
    // A generation above ours (ours was created after a cleanup removed it): we lost.
    if (list[0] !== gen + 1) return false;
    await Promise.all(list.slice(1).map((g) => unlink(this.file(name, g)).catch(() => undefined)));
    return true;
  }

  /**
   * Reads, changes and writes `name` until the change lands on the generation it was computed
   * from. `change` returns the new value, or undefined to leave the value as it is; its result is
   * returned with the value it was computed from. Changes to one name made in this process while a
   * write of it is under way are applied together, in order, in the next write (one read and one
   * write for the lot): a burst of calls then costs a few writes instead of each writer losing to
   * the others and reading again (1 000 concurrent calls took minutes). Other processes still
   * compete through the exclusive generations.
   */
  update<R>(name: string, change: (value: T | undefined) => { value?: T; result: R }): Promise<R> {
    return this.gather(name, 0, change);
  }

  /** `update`, whose write may wait up to `withinMs` for other changes to join it (one write for many; see writeNow). */
  gather<R>(name: string, withinMs: number, change: (value: T | undefined) => { value?: T; result: R }): Promise<R> {
    const key = this.file(name, 0);
    return new Promise<R>((resolve, reject) => {
      const now = performance.now();
      const due = now + ((urgent.get(this.dir) ?? 0) > now ? 0 : withinMs);
      const queue = pending.get(key) ?? pending.set(key, []).get(key)!;
      queue.push({ change, resolve, reject, due } as Pending<T>);
      if (!writing.has(key)) this.schedule(name, key);
    });
  }

  /** Starts the writes held back (`gather`) in this folder at once, also those queued behind a write, and holds none back for a second. */
  writeNow(): void {
    urgent.set(this.dir, performance.now() + 1000);
    for (const [key, g] of gathering) if (g.dir === this.dir) this.schedule(g.name, key, true);
  }

  /** Writes the changes waiting for `name` now, or when the first of them may wait no longer (`now`: at once). */
  private schedule(name: string, key: string, now = false): void {
    clearTimeout(gathering.get(key)?.timer);
    gathering.delete(key);
    const queue = pending.get(key);
    if (!queue?.length) return void pending.delete(key);
    const wait = now || (urgent.get(this.dir) ?? 0) > performance.now() ? 0 : Math.min(...queue.map((b) => b.due)) - performance.now();
    if (wait > 0) gathering.set(key, { name, dir: this.dir, timer: setTimeout(() => this.schedule(name, key, true), wait) });
    else void this.drain(name, key);
  }

  /** Writes the changes waiting for `name` as one batch, then schedules those that came meanwhile. */
  private async drain(name: string, key: string): Promise<void> {
    const batch = pending.get(key) as Pending<T>[];
    pending.set(key, []);
    writing.add(key);
    try {
      const outcomes = await this.commit(name, batch);
      batch.forEach((b, i) => {
        const o = outcomes[i]!;
        if ("error" in o) b.reject(o.error);
        else b.resolve(o.result);
      });
    } catch (err) {
      for (const b of batch) b.reject(err);
    } finally {
      writing.delete(key);
      this.schedule(name, key);
    }
  }

  /**
   * Applies `batch` in order to the value and writes it as one generation: first to the value this
   * instance wrote last (`keepLast`, not read back), then, while another process wins, to a fresh read.
   */
  private async commit(name: string, batch: Pending<T>[]): Promise<Outcome[]> {
    const known = this.last.get(name);
    this.last.delete(name);
    const done = known && (await this.attempt(name, batch, known, false));
    if (done) return done;
    for (let attempt = 0; ; attempt++) {
      const landed = await this.attempt(name, batch, await this.read(name), true);
      if (landed) return landed;
      if (attempt >= 500) throw new Error(`${this.dir}: could not update ${name}: too many concurrent writers`);
      // Lost to another writer: read again after a short random pause, so contenders spread out.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 + attempt)));
    }
  }

  /**
   * Applies `batch` in order to `cur` and writes the result as the next generation. The outcomes
   * once it landed; undefined when another writer won, or when nothing changed and `cur` came from
   * memory (an answer that changes nothing, such as a refusal, is only as current as the value it
   * read: one from memory is checked against the value on disk).
   */
  private async attempt(name: string, batch: Pending<T>[], cur: Generation<T>, onDisk: boolean): Promise<Outcome[] | undefined> {
    let value = this.draft ? this.draft(cur.value) : cur.value;
    let changed = false;
    const outcomes = batch.map((b): Outcome => {
      try {
        const next = b.change(value);
        if (next.value !== undefined) [value, changed] = [next.value, true];
        return { result: next.result };
      } catch (error) {
        return { error };
      }
    });
    if (!changed) return onDisk ? outcomes : undefined;
    if (!(await this.write(name, cur.gen, value as T))) return undefined;
    if (this.keepLast) this.last.set(name, { gen: cur.gen + 1, value: value as T });
    return outcomes;
  }

  /**
   * Removes the generations of `name` up to `upTo` (default: all), and its values in the flat
   * layout an upgrade left. Only for a value no process will change from those generations any
   * more: a writer that read one of them could otherwise create the next one after it is gone,
   * beside a new chain started at 1.
   */
  async remove(name: string, upTo = Infinity): Promise<void> {
    this.last.delete(name);
    for (const g of await this.list(name)) if (g <= upTo) await unlink(this.file(name, g)).catch(() => undefined);
    if (this.folders) await rmdir(this.folder(name)).catch(() => undefined);
    const flat = await this.flatNames();
    const top = flat.get(fileName(name));
    if (top === undefined) return;
    flat.delete(fileName(name));
    for (let g = top; g > 0; g--) await unlink(this.flatFile(name, g)).catch(() => undefined);
  }

  /**
   * Removes every name whose generations were all last written before `cutoffMs` (epoch ms), with
   * the same caveat as `remove`; returns how many.
   */
  async removeUnwrittenSince(cutoffMs: number): Promise<number> {
    let removed = 0;
    for (const name of await this.names()) {
      const top = (await this.flatNames()).get(name);
      const gens = await this.list(name);
      const files = [...gens.map((g) => this.file(name, g)), ...(top ? [this.flatFile(name, top)] : [])];
      const times = await Promise.all(
        files.map((f) =>
          stat(f).then(
            (s) => s.mtimeMs,
            () => 0,
          ),
        ),
      );
      if (times.some((t) => t >= cutoffMs)) continue;
      // Only what was seen: a generation written since (a lease taken meanwhile) stays.
      await this.remove(name, gens[0] ?? 0);
      removed++;
    }
    return removed;
  }

  file(name: string, gen: number): string {
    return this.folders ? join(this.folder(name), `${gen}.json`) : this.flatFile(name, gen);
  }

  private folder(name: string): string {
    return join(this.dir, fileName(name));
  }

  private flatFile(name: string, gen: number): string {
    return join(this.dir, `${fileName(name)}.${gen}.json`);
  }

  /** `folders-after-flat`: the flat layout's names, listed on first use. */
  private flatNames(): Promise<Map<string, number>> {
    return (this.flat ??= listFlat(this.dir));
  }

  /** A name with no generation in its folder: its value in the flat layout an upgrade left, as generation 0. */
  private async readFlat(name: string): Promise<Generation<T>> {
    const top = (await this.flatNames()).get(fileName(name));
    if (top === undefined) return { gen: 0 };
    const value = await readJson<T>(this.flatFile(name, top));
    return value === undefined ? { gen: 0 } : { gen: 0, value };
  }
}

type Outcome = { result: unknown } | { error: unknown };

interface Pending<T> {
  change: (value: T | undefined) => { value?: T; result: unknown };
  resolve: (result: unknown) => void;
  reject: (err: unknown) => void;
  /** When its write must start (performance.now() ms): later than its arrival only through `gather`. */
  due: number;
}

/** Changes waiting to be written, by value (its file path): shared by every instance on a folder. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one map for every value type
const pending = new Map<string, Pending<any>[]>();
/** The values whose write is under way. */
const writing = new Set<string>();
/** Folders where no write is held back until a time (performance.now() ms): see writeNow. */
const urgent = new Map<string, number>();
/** The values whose write waits for more changes (`gather`), with the timer that starts it. */
const gathering = new Map<string, { name: string; dir: string; timer: NodeJS.Timeout }>();
