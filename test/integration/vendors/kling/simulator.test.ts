/** The Kling simulator's auth contract: each token problem gets Kling's documented code. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpRequest } from "../../../../src/net/http.js";
import { KlingSimulator } from "../../../../src/vendors/kling/simulator.js";
import { signToken } from "../../../helpers/jwt.js";

describe("Kling simulator auth", () => {
  let sim: KlingSimulator;
  beforeAll(async () => {
    sim = await new KlingSimulator().start();
  });
  afterAll(() => sim.close());

  const get = (authorization?: string) =>
    httpRequest(`${sim.baseUrl}/v1/videos/text2video?pageNum=1&pageSize=1`, {
      vendor: "Kling",
      headers: authorization === undefined ? {} : { authorization },
    });
  const now = () => Math.floor(sim.sim.now() / 1000);
  const token = async (claims: Record<string, unknown>, key = sim.secretKey, alg = "HS256") =>
    `Bearer ${await signToken(claims, key, alg)}`;

  it("answers each token problem with its documented code", async () => {
    const good = () => ({ iss: sim.accessKey, exp: now() + 1800, nbf: now() - 5 });
    const [h, , s] = (await token(good())).slice("Bearer ".length).split(".");
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const cases: Array<[string | undefined, number]> = [
      [undefined, 1001],
      ["Basic abc", 1002],
      ["Bearer not.a.jwt", 1002],
      ["Bearer a.b.c", 1002],
      [await token(good(), "wrong-secret"), 1002],
      [`Bearer ${h}.${b64({ ...good(), iss: "AK_other" })}.${s}`, 1002], // payload swapped under a valid signature
      [`Bearer ${b64({ alg: "none", typ: "JWT" })}.${b64(good())}.`, 1002],
      [await token(good(), sim.secretKey, "HS512"), 1002], // right key, but Kling signs HS256 only
      [await token({ iss: sim.accessKey, exp: now() + 1800 }), 1002],
      [await token({ iss: sim.accessKey, exp: now() + 1800, nbf: now() + 60 }), 1003],
      [await token({ iss: sim.accessKey, exp: now() - 1, nbf: now() - 1000 }), 1004],
      [await token({ iss: sim.accessKey, exp: now() - 1, nbf: now() + 60 }), 1003], // nbf is checked before exp
      [await token({ iss: "AK_unknown", exp: now() + 1800, nbf: now() - 5 }), 1000],
    ];
    for (const [auth, code] of cases) {
      const res = await get(auth);
      expect(res.status, String(auth)).toBe(401);
      expect((res.json() as { code: number }).code, String(auth)).toBe(code);
    }
    const ok = await get(await token(good()));
    expect(ok.status).toBe(200);
    expect(ok.json()).toMatchObject({ code: 0, data: [] });
  });

  it("takes the API key on both standards and refuses an AK/SK token on the new one with 401/1002", async () => {
    const good = await token({ iss: sim.accessKey, exp: now() + 1800, nbf: now() - 5 });
    const tasks = (authorization: string) =>
      httpRequest(`${sim.baseUrl}/tasks?task_ids=1`, { vendor: "Kling", headers: { authorization } });
    expect((await get(`Bearer ${sim.apiKey}`)).status).toBe(200);
    const ok = await tasks(`Bearer ${sim.apiKey}`);
    expect(ok.status).toBe(200);
    expect(ok.json()).toMatchObject({ code: 0, data: [] });
    const aksk = await tasks(good);
    expect(aksk.status).toBe(401);
    expect(aksk.json()).toMatchObject({ code: 1002, message: expect.stringMatching(/does not support AK\/SK/) });
    const create = await httpRequest(`${sim.baseUrl}/text-to-video/kling-3.0-turbo`, {
      vendor: "Kling",
      method: "POST",
      headers: { authorization: good, "content-type": "application/json" },
      body: JSON.stringify({ prompt: "x" }),
    });
    expect(create.status).toBe(401);
    expect((create.json() as { code: number }).code).toBe(1002);
    expect((await get(`Bearer ${sim.apiKey}x`)).status).toBe(401);
  });
});
