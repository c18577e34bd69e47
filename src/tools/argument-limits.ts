/** The structure limits on one call's arguments (arguments.ts), which the whole-message limits (transports/message-limits.ts) build on. */

/** Deepest nesting accepted anywhere in a tool's arguments (vendor bodies are a few levels deep). */
export const MAX_ARGUMENT_DEPTH = 64;
/** Most values (object members and array elements, all levels) in one call's arguments. */
export const MAX_ARGUMENT_VALUES = 100_000;
