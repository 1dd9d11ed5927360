import { createInterface } from 'node:readline';
import type { CliIO } from '../../io.js';

export type InterruptChoice = 'rollback' | 'leave';

/**
 * Ctrl-C during a rollout. On a terminal it asks whether to roll back now or leave the canary where it is
 * (the rollout stays at its step and resumes with the same state file). Without a terminal nobody can answer,
 * so it rolls back — the safe side — and says so. Returns a function that removes the handler.
 */
export function onInterrupt(io: CliIO, handle: (choice: InterruptChoice) => Promise<void>): () => void {
  let asked = false;
  const listener = (): void => {
    if (asked) {
      // A second Ctrl-C while asking: take the safe answer instead of hanging.
      io.stderr.write('\nsecond interrupt: rolling back\n');
      void handle('rollback');
      return;
    }
    asked = true;
    if (!io.stdin?.isTTY || !io.stderr.isTTY) {
      io.stderr.write('\ninterrupted without a terminal to ask: rolling back to stable (the safe choice)\n');
      void handle('rollback');
      return;
    }
    const rl = createInterface({ input: io.stdin, output: io.stderr });
    rl.question(
      '\nInterrupted. [r] roll back to stable now, [l] leave the canary as it is and stop (resume later)? [r/l] ',
      (answer) => {
        rl.close();
        const choice: InterruptChoice = /^l/i.test(answer.trim()) ? 'leave' : 'rollback';
        io.stderr.write(
          choice === 'leave'
            ? 'leaving the rollout as it is; run the same command again to resume it\n'
            : 'rolling back\n',
        );
        void handle(choice);
      },
    );
  };
  process.on('SIGINT', listener);
  return () => process.off('SIGINT', listener);
}

/** SIGTERM during a rollout: `handle` runs once; returns a function that removes the handler. */
export function onTerminate(handle: () => void): () => void {
  const listener = (): void => handle();
  process.once('SIGTERM', listener);
  return () => process.off('SIGTERM', listener);
}
