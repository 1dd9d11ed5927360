import { headline, reasonBody, reasonLine } from '../engine/reason-text.js';
import type { Reason } from '../schema/reason.js';
import type { ControllerEvent, ControllerView, DecisionPoint, RolloutSnapshot } from '../controller/view.js';

/**
 * What the API and dashboard serve: the controller's snapshots plus how their reasons read to a person
 * (src/engine/reason-text.ts), so the browser shows the same words as the terminal and the write-ups and
 * formats nothing itself. Fields are only added.
 */
export type PresentedReason = Reason & {
  /** The finding without its signal (for a table with a signal column). */
  text: string;
  /** "signal: finding". */
  line: string;
};

const presentReason = (r: Reason): PresentedReason => ({ ...r, text: reasonBody(r), line: reasonLine(r) });

function presentDecision(d: DecisionPoint): DecisionPoint & { headline: string | null } {
  return { ...d, reasons: d.reasons.map(presentReason), headline: headline(d.reasons) ?? null };
}

export function presentSnapshot(s: RolloutSnapshot): RolloutSnapshot & { headline: string | null } {
  return {
    ...s,
    reasons: s.reasons.map(presentReason),
    decisions: s.decisions.map(presentDecision),
    headline: headline(s.reasons) ?? null,
  };
}

function presentEvent(e: ControllerEvent): ControllerEvent {
  if (e.type === 'snapshot') return { ...e, rollout: presentSnapshot(e.rollout) };
  if (e.type === 'decision') return { ...e, decision: presentDecision(e.decision) };
  return e;
}

/** The same view with every snapshot and event it hands out presented. */
export function presentedView(view: ControllerView): ControllerView {
  return {
    list: () => view.list().map(presentSnapshot),
    get: (id) => {
      const s = view.get(id);
      return s && presentSnapshot(s);
    },
    subscribe: (listener) => view.subscribe((e) => listener(presentEvent(e))),
    act: async (id, action, actor) => presentSnapshot(await view.act(id, action, actor)),
  };
}
