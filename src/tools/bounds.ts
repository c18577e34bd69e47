/**
 * Numbers whose range only validates. Some bounds are not facts a model needs in every field: this
 * server's loose sanity limits (issue 11), the integer type's own limits on a seed, or a range the
 * server instructions state once (wait_seconds). Those stay out of the listed schema (issue 12 item
 * 16: the tool list goes with every model request) and are still enforced, in the same words as a
 * listed bound. A vendor's real range (an opacity of 0-1, at most 9 images) stays a listed min/max.
 */
import { z } from "zod";

/** `schema` refusing values below `min` (or at it, when `exclusive`) and above `max`, without listing either; `overMax` says what to do instead. */
export function quietRange(schema: z.ZodNumber, min: number, max: number, exclusive = false, overMax?: string) {
  return schema.superRefine((value, ctx) => {
    if (value < min || (exclusive && value === min))
      ctx.addIssue({ code: "too_small", origin: "number", minimum: min, inclusive: !exclusive, input: value });
    else if (value > max)
      ctx.addIssue({
        code: "too_big",
        origin: "number",
        maximum: max,
        inclusive: true,
        input: value,
        ...(overMax ? { message: `must be at most ${max} (got ${value}): ${overMax}` } : {}),
      });
  });
}

/**
 * Text that shows nothing: whitespace, and the characters Unicode says a renderer ignores
 * (Default_Ignorable_Code_Point: zero-width space and joiners, variation selectors, soft hyphen,
 * Hangul fillers, tag characters...).
 */
const BLANK = /^[\s\p{Default_Ignorable_Code_Point}]*$/u;

/** Whether `s` shows nothing: empty, or only whitespace and invisible characters. */
export function isBlank(s: string): boolean {
  return BLANK.test(s);
}

/**
 * A prompt or other text for the model, at most `max` characters: refused when it is only
 * whitespace or invisible characters (no model can act on it, and a vendor bills the blank generation), and when empty
 * unless `min` is 0 (an optional prompt, where "" means none).
 */
export function prose(max: number, min = 1) {
  return z
    .string()
    .min(min)
    .max(max)
    .refine(
      (s) => s === "" || !isBlank(s),
      "is only whitespace or invisible characters: write the words, or leave the field out when it is optional",
    );
}

/**
 * An id, key or short code of at most `max` characters: an element, task or voice id, a req_key, a
 * template, a ratio, size or language code, a tool or vendor name. Surrounding whitespace is dropped
 * before the checks (no vendor's id has any, and a model copying one from text often adds it).
 * Prompts and other free text are never trimmed; enum values are trimmed in coerce.ts.
 */
export function idText(max: number) {
  return z.string().trim().max(max);
}

/** A `model` argument: a vendor's model id, endpoint id or req_key (at most 128 characters), trimmed as idText. */
export function modelId() {
  return idText(128).min(1);
}
