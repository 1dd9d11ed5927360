import { z } from 'zod';
import { serviceName } from './names.js';
import { DEFAULT_LATENCY_BOUNDS_MS, intervalObservation } from './observation.js';

/**
 * Replay files (docs/interfaces.md): JSON Lines; the first line is this header, every other line one interval
 * (`intervalObservation`). Blank lines are ignored.
 */
export const replayHeader = z
  .object({
    kind: z.literal('replay'),
    version: z.literal(1),
    service: serviceName,
    /** The analysis interval the recording was made with; the same bounds as a policy's interval. */
    intervalSeconds: z.number().min(0.1).max(3600).default(10),
    latencyBoundsMs: z
      .array(z.number().positive())
      .min(1)
      .default([...DEFAULT_LATENCY_BOUNDS_MS]),
  })
  .loose();

export const replayLine = intervalObservation;

export type ReplayHeader = z.infer<typeof replayHeader>;
