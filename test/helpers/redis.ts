/**
 * A real redis-server for tests, started on a free port on 127.0.0.1 with no persistence, killed
 * by `close()`. A machine without redis-server fails the test saying how to install it (the tests
 * never skip: `.ci/run` installs it).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { freePort } from "./ports.js";

export interface TestRedis {
  url: string;
  port: number;
  /** A client for looking at (or changing) what the server under test wrote. */
  client: Redis;
  /** Stops the server (a "Redis down" test); `start()` brings it back on the same port. */
  stop(): Promise<void>;
  /** Freezes the server (SIGSTOP: connections stay open, nothing is answered); `thaw()` lets it go on. */
  freeze(): void;
  thaw(): void;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** `password` starts the server with `--requirepass` (as docker-compose.yml runs it); the URL then carries it. */
export async function startRedis(password?: string): Promise<TestRedis> {
  if (spawnSync("redis-server", ["--version"]).error)
    throw new Error("redis-server is not installed: install it (Debian/Ubuntu: `apt-get install -y redis-server`; .ci/run does this)");
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...(password ? ["--requirepass", password] : [])],
      {
        stdio: "ignore",
      },
    );
    const probe = new Redis({ port, host: "127.0.0.1", password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => undefined);
    for (let i = 0; ; i++) {
      try {
        await probe.connect();
        if ((await probe.ping()) === "PONG") break;
      } catch {
        if (i > 100) throw new Error(`redis-server did not answer PING on port ${port}`);
        await sleep(50);
      }
    }
    probe.disconnect();
  };
  const stop = async () => {
    const c = child;
    c?.kill("SIGCONT"); // a frozen server does not act on SIGKILL until it runs again
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await exited;
  };
  await start();
  const client = new Redis({ port, host: "127.0.0.1", password, maxRetriesPerRequest: 1 });
  client.on("error", () => undefined);
  return {
    url: password ? `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}/0` : `redis://127.0.0.1:${port}`,
    port,
    client,
    stop,
    start,
    freeze: () => void child?.kill("SIGSTOP"),
    thaw: () => void child?.kill("SIGCONT"),
    async close() {
      client.disconnect();
      await stop();
    },
  };
}
