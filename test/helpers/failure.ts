import { expect } from "vitest";
import { AigcError } from "../../src/errors.js";

/** Awaits a promise that must reject with an AigcError and returns that error. */
export async function failure(p: Promise<unknown>): Promise<AigcError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AigcError);
    return err as AigcError;
  }
  throw new Error("expected a failure");
}
