import { z } from 'zod';
import { DEFAULT_LATENCY_BOUNDS_MS, intervalObservation } from './observation.js';

/**
 * Replay files (DESIGN §4): JSON Lines; the first line is this header, every other line one interval
 * (`intervalObservation`). Blank lines are ignored.
 */
export const replayHeader = z
  .object({
    kind: z.literal('replay'),
    version: z.literal(1),
    service: z.string().min(1),
    intervalSeconds: z.number().positive().default(10),
    latencyBoundsMs: z
      .array(z.number().positive())
      .min(1)
      .default([...DEFAULT_LATENCY_BOUNDS_MS]),
  })
  .loose();

export const replayLine = intervalObservation;

export type ReplayHeader = z.infer<typeof replayHeader>;
