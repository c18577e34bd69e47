/**
 * S3-compatible stores that fail in the ways real ones do, for tests: one that accepts connections
 * and never answers, and a proxy to a working store that can be told to hang or to drop connections.
 */
import type { Server as HttpServer } from "node:http";
import { connect, createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";

export const listening = async <S extends NetServer | HttpServer>(server: S): Promise<{ server: S; url: string }> => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
};

/** A store that accepts connections and never reads or answers. */
export async function hungStore() {
  const sockets: Socket[] = [];
  const { server, url } = await listening(createNetServer((sock) => void sockets.push(sock)));
  const close = async () => {
    for (const sock of sockets) sock.destroy();
    await new Promise((r) => server.close(r));
  };
  return { url, sockets, close };
}

/**
 * A proxy to `target` that forwards until told to hang (accept, never answer), drop (close each
 * connection at once) or be slow (forward, holding the store's answers back `ms` on each connection).
 */
export async function proxyThatHangs(target: URL) {
  let mode: "forward" | "hang" | "drop" | "slow" = "forward";
  let slowMs = 0;
  const sockets: Socket[] = [];
  const { server, url } = await listening(
    createNetServer((sock) => {
      if (mode === "drop") return void sock.destroy();
      sockets.push(sock);
      if (mode === "hang") return;
      const up = connect(Number(target.port), target.hostname);
      sockets.push(up);
      sock.pipe(up);
      if (mode === "slow") {
        up.pause();
        setTimeout(() => up.pipe(sock), slowMs);
      } else up.pipe(sock);
      up.on("error", () => sock.destroy());
      sock.on("error", () => up.destroy());
    }),
  );
  const become = (next: typeof mode) => {
    mode = next;
    for (const sock of sockets.splice(0)) sock.destroy(); // kept-alive connections too
  };
  const hang = () => become("hang");
  const close = async () => {
    for (const sock of sockets) sock.destroy();
    await new Promise((r) => server.close(r));
  };
  const slow = (ms: number) => {
    slowMs = ms;
    become("slow");
  };
  return { url, hang, drop: () => become("drop"), forward: () => become("forward"), slow, close };
}
