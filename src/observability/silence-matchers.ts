import { ANY_VALUE, type LabelSet } from '../render/alert-catalog.js';

/** Alertmanager API v2 matcher (`api/v2/openapi.yaml`): `isEqual` defaults to true. */
export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
}

/**
 * Go RE2 → JavaScript, anchored as Alertmanager anchors (`^(?:re)$`). A leading `(?i)` becomes the `i` flag.
 * Undefined when JavaScript cannot compile it; the caller then treats the matcher as matching, because a
 * silence we cannot read must be looked at by a person rather than assumed harmless.
 */
export function compileMatcherRegex(value: string): RegExp | undefined {
  const ci = value.startsWith('(?i)');
  try {
    return new RegExp(`^(?:${ci ? value.slice(4) : value})$`, ci ? 'i' : '');
  } catch {
    return undefined;
  }
}

/** Does one matcher accept this label value? A missing label is the empty string, as in Alertmanager. */
export function matcherMatches(m: SilenceMatcher, value: string | typeof ANY_VALUE | undefined): boolean {
  // A label whose value we cannot know (the rollout id) could take a value that matches: assume it does.
  if (value === ANY_VALUE) return true;
  const v = value ?? '';
  let hit: boolean;
  if (m.isRegex) {
    const re = compileMatcherRegex(m.value);
    if (!re) return true;
    hit = re.test(v);
  } else {
    hit = v === m.value;
  }
  return (m.isEqual ?? true) ? hit : !hit;
}

/** A silence mutes an alert when every one of its matchers matches the alert's labels. */
export function silenceMatchesLabels(matchers: readonly SilenceMatcher[], labels: LabelSet): boolean {
  return matchers.length > 0 && matchers.every((m) => matcherMatches(m, labels[m.name]));
}
