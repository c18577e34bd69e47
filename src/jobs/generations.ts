/**
 * Small JSON values shared by every process on one folder, changed atomically without a lock:
 * a value is a chain of generations `<name>.<n>.json`, the highest n being the value now. Every
 * change creates generation n+1 whole and exclusively (a temp file hard-linked into place: link()
 * fails when the name exists), so of processes that read the same generation exactly one moves it
 * on (a compare-and-swap), the others read again. A value is never seen half-written, and a process
 * that dies holds nothing (no stale lock to take over). Used by the file store's download leases,
 * the spend ledger and the idempotency keys.
 */
import { randomBytes } from "node:crypto";
import { link, readdir, readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { localDiskError, inFolder } from "../media/disk.js";

export interface Generation<T> {
  /** 0 when there is none. */
  gen: number;
  value?: T;
}

export class Generations<T> {
  /**
   * The generation this instance wrote last, per name, with its value: what the next update of that
   * name builds on without reading it back. When another process has moved the value on since, the
   * exclusive create of the next generation fails (or a higher one is found) and the update reads
   * the value afresh, as after any lost race.
   */
  private readonly last = new Map<string, Required<Generation<T>>>();

  /**
   * `keepLast`: remember the last value written per name (for few names, such as the ledger's months).
   * `draft`: each attempt applies its batch to one copy of the value made by `draft`, which the
   * changes may modify in place and return (a large value is then copied once per write, not once
   * per change); a change must not modify it and then throw or return no value.
   */
  constructor(
    readonly dir: string,
    private readonly keepLast = false,
    private readonly draft?: (value: T | undefined) => T,
  ) {}

  /** The generations of `name`, highest first. */
  async list(name: string): Promise<number[]> {
    const prefix = `${fileName(name)}.`;
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names
      .filter((n) => n.startsWith(prefix) && n.endsWith(".json"))
      .map((n) => Number(n.slice(prefix.length, -".json".length)))
      .filter((g) => Number.isSafeInteger(g) && g > 0)
      .sort((x, y) => y - x);
  }

  /** The names with at least one generation. */
  async names(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const out = new Set<string>();
    for (const n of names) {
      const m = /^(.+)\.(\d+)\.json$/.exec(n);
      if (m?.[1]) out.add(m[1]);
    }
    return [...out];
  }

  /** The highest generation and its value (a generation removed while being read is looked up again). */
  async read(name: string): Promise<Generation<T>> {
    for (let attempt = 0; ; attempt++) {
      const gen = (await this.list(name))[0] ?? 0;
      if (!gen) return { gen };
      const value = await this.readGen(name, gen);
      if (value !== undefined || attempt >= 5) return { gen, ...(value !== undefined ? { value } : {}) };
    }
  }

  /** Creates generation `gen + 1` unless another process did; true when it is then the highest (and the lower ones are removed). */
  async write(name: string, gen: number, value: T): Promise<boolean> {
    const tmp = join(this.dir, `.${randomBytes(6).toString("hex")}.tmp`);
    const target = this.file(name, gen + 1);
    try {
      await inFolder(this.dir, () => writeFile(tmp, JSON.stringify(value)));
      await link(tmp, target);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw localDiskError(err, this.dir) ?? err;
    }
    // The temp name goes while the generations are listed (independent steps, done together).
    const [gens] = await Promise.all([this.list(name), unlink(tmp).catch(() => undefined)]);
    // A generation above ours (ours was created after a cleanup removed it): we lost.
    if (gens[0] !== gen + 1) return false;
    await Promise.all(gens.slice(1).map((g) => unlink(this.file(name, g)).catch(() => undefined)));
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
    const key = this.file(name, 0);
    return new Promise<R>((resolve, reject) => {
      const batch = { change, resolve, reject } as Pending<T>;
      const queue = pending.get(key);
      if (queue) return void queue.push(batch);
      pending.set(key, [batch]);
      void this.drain(name, key);
    });
  }

  /** Writes the changes waiting for `name` in batches until none is left. */
  private async drain(name: string, key: string): Promise<void> {
    for (;;) {
      const batch = pending.get(key) as Pending<T>[] | undefined;
      if (!batch?.length) return void pending.delete(key);
      pending.set(key, []);
      try {
        const outcomes = await this.commit(name, batch);
        batch.forEach((b, i) => {
          const o = outcomes[i]!;
          if ("error" in o) b.reject(o.error);
          else b.resolve(o.result);
        });
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
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
   * Removes the generations of `name` up to `upTo` (default: all). Only for a value no process
   * will change from those generations any more: a writer that read one of them could otherwise
   * create the next one after it is gone, beside a new chain started at 1.
   */
  async remove(name: string, upTo = Infinity): Promise<void> {
    this.last.delete(name);
    for (const g of await this.list(name)) if (g <= upTo) await unlink(this.file(name, g)).catch(() => undefined);
  }

  file(name: string, gen: number): string {
    return join(this.dir, `${fileName(name)}.${gen}.json`);
  }

  private async readGen(name: string, gen: number): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.file(name, gen), "utf8")) as T;
    } catch {
      return undefined;
    }
  }
}

type Outcome = { result: unknown } | { error: unknown };

interface Pending<T> {
  change: (value: T | undefined) => { value?: T; result: unknown };
  resolve: (result: unknown) => void;
  reject: (err: unknown) => void;
}

/** Changes waiting for the write under way, by value (its file path): shared by every instance on a folder. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one map for every value type
const pending = new Map<string, Pending<any>[]>();

/** A name safe as a file name. */
const fileName = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, "_");
