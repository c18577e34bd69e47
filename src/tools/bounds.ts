/**
 * Numbers whose range only validates. Some bounds are not facts a model needs in every field: this
 * server's loose sanity limits (issue 11), the integer type's own limits on a seed, or a range the
 * server instructions state once (wait_seconds). Those stay out of the listed schema (issue 12 item
 * 16: the tool list goes with every model request) and are still enforced, in the same words as a
 * listed bound. A vendor's real range (an opacity of 0-1, at most 9 images) stays a listed min/max.
 */
import { z } from "zod";

/** `schema` refusing values below `min` (or at it, when `exclusive`) and above `max`, without listing either. */
export function quietRange(schema: z.ZodNumber, min: number, max: number, exclusive = false) {
  return schema.superRefine((value, ctx) => {
    if (value < min || (exclusive && value === min))
      ctx.addIssue({ code: "too_small", origin: "number", minimum: min, inclusive: !exclusive, input: value });
    else if (value > max) ctx.addIssue({ code: "too_big", origin: "number", maximum: max, inclusive: true, input: value });
  });
}
