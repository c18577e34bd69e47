import { describe, expect, it } from "vitest";
import { redisTrouble } from "../../src/jobs/redis-errors.js";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
const reply = (message: string) => Object.assign(new Error(message), { name: "ReplyError" });

describe("a Redis failure in plain words", () => {
  it("says what state Redis is in, never the driver's wording", () => {
    expect(redisTrouble(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(
      "not connected (the connection is down or was lost; the server keeps reconnecting)",
    );
    expect(redisTrouble(new Error("Connection is closed."))).toMatch(/^not connected/);
    expect(redisTrouble(new Error('Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest"'))).toMatch(
      /^not connected/,
    );
    expect(redisTrouble(new Error("Command timed out"))).toBe("not answering (connected, but no answer in time)");
    expect(redisTrouble(withCode("connect ECONNREFUSED 127.0.0.1:1", "ECONNREFUSED"))).toMatch(/^the connection was refused/);
    expect(redisTrouble(withCode("getaddrinfo ENOTFOUND redsi", "ENOTFOUND"))).toBe("its host name does not resolve");
    expect(redisTrouble(withCode("write EPROTO 00000000:error:0A00010B:SSL routines::wrong version number", "EPROTO"))).toMatch(
      /^the TLS handshake failed/,
    );
  });

  it("keeps Redis's own answer, which is the reason and holds no secret", () => {
    expect(redisTrouble(reply("WRONGPASS invalid username-password pair or user is disabled."))).toBe(
      "it answered with an error: WRONGPASS invalid username-password pair or user is disabled",
    );
  });
});
