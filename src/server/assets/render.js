import { $, badge, clock, duration, el, num, pct } from './dom.js';

const rolloutButton = (r, selected) =>
  el('button', { attrs: { type: 'button', 'data-rollout': r.id, 'aria-current': String(r.id === selected) } }, [
    el('span', { className: 'rid', text: r.id }),
    el('span', { className: 'meta' }, [
      badge(r.phase),
      document.createTextNode(` weight ${r.weight}% · score ${num(r.score)}`),
    ]),
  ]);

/** The sidebar: every rollout, newest first. */
export function renderList(rollouts, selected) {
  $('rollout-list').replaceChildren(...rollouts.map((r) => el('li', {}, [rolloutButton(r, selected)])));
  $('no-rollouts').hidden = rollouts.length > 0;
}

const last = (xs) => xs[xs.length - 1];

function renderCards(r) {
  const point = last(r.intervals);
  $('step').textContent = `${Math.min(r.step + 1, r.stepCount)} / ${r.stepCount}`;
  $('weight').textContent = `canary weight ${r.weight}% · bake ${pct(r.bakeProgress, 0)}`;
  $('weight-bar').style.width = `${r.weight}%`;
  const score = $('score');
  score.textContent = num(r.score);
  score.className = `big ${r.score >= r.minScore ? 'ok' : 'late'}`;
  $('score-threshold').textContent = `threshold ${num(r.minScore)}`;
  $('synthetic').textContent = pct(point?.syntheticAvailability ?? null);
  $('budget').textContent = pct(point?.budgetBurn ?? null, 2);
  $('verdict').replaceChildren(badge(r.verdict));
  const timing = [];
  if (r.timeToDecideSeconds !== null) timing.push(`decided in ${duration(r.timeToDecideSeconds)}`);
  if (r.rollbackDurationSeconds !== null) timing.push(`rollback took ${duration(r.rollbackDurationSeconds)}`);
  $('timing').textContent = timing.join(' · ') || 'judging…';
}

const reasonRow = (x) =>
  el('tr', { attrs: { 'data-signal': x.signal } }, [
    el('td', { text: x.signal }),
    el('td', {}, [badge(x.verdict)]),
    el('td', { text: x.text }),
    el('td', { text: x.statistic }),
    el('td', { className: 'num', text: `${num(x.value, 3)} / ${num(x.threshold, 3)}` }),
  ]);

const actionColour = { rollback: 'fail', promote: 'pass', hold: 'inconclusive', pause: 'inconclusive' };

const decisionRow = (d) =>
  el('tr', { attrs: { 'data-action': d.action } }, [
    el('td', { className: 'num', text: clock(d.at) }),
    el('td', {}, [el('span', { className: `badge ${actionColour[d.action] ?? 'neutral'}`, text: d.action })]),
    el('td', { className: 'num', text: `${d.step + 1} · ${d.weight}%` }),
    el('td', { className: 'num', text: num(d.score) }),
    el('td', { text: d.by }),
    el('td', {}, [
      el(
        'ul',
        {},
        d.reasons.map((x) => el('li', { text: x.line })),
      ),
    ]),
  ]);

const deliveryColour = { delivered: 'pass', failed: 'fail', abandoned: 'fail', pending: 'inconclusive' };

const deliveryRow = (w) =>
  el('tr', { attrs: { 'data-delivery': w.id, 'data-outcome': w.outcome } }, [
    el('td', { text: w.id }),
    el('td', { text: w.event }),
    el('td', {}, [el('span', { className: `badge ${deliveryColour[w.outcome] ?? 'neutral'}`, text: w.outcome })]),
    el('td', { className: 'num', text: w.status === null ? '—' : String(w.status) }),
    el('td', { className: 'num', text: String(w.attempts) }),
    el('td', { text: w.url }),
  ]);

/** The selected rollout: headline, cards, reasons, the decision log (newest first) and webhook deliveries. */
export function renderDetail(r) {
  const detail = $('detail');
  detail.hidden = false;
  // How many intervals are drawn: lets people (and tests) see the page is following the controller live.
  detail.dataset.selectedRollout = r.id;
  detail.dataset.intervals = String(r.intervals.length);
  $('rollout-id').textContent = r.id;
  $('service').textContent = r.service;
  const phase = $('phase');
  phase.textContent = r.phase;
  phase.className = `badge ${r.phase}`;
  const finished = r.phase === 'promoted' || r.phase === 'rolled-back';
  document.querySelectorAll('[data-action]').forEach((b) => {
    if (b instanceof HTMLButtonElement) b.disabled = finished;
  });
  renderCards(r);
  const waiting = r.intervals.length
    ? 'No per-metric reasons reported yet; they come with the next decision.'
    : 'No verdicts yet: waiting for the first analysis interval.';
  const none = el('tr', {}, [el('td', { text: waiting, attrs: { colspan: '5' } })]);
  $('reasons').replaceChildren(...(r.reasons.length ? r.reasons.map(reasonRow) : [none]));
  $('decision-log').replaceChildren(...[...r.decisions].reverse().map(decisionRow));
  const deliveries = r.webhookDeliveries ?? [];
  const noHooks = el('tr', {}, [el('td', { text: 'No webhook deliveries.', attrs: { colspan: '6' } })]);
  $('webhooks').replaceChildren(...(deliveries.length ? deliveries.map(deliveryRow) : [noHooks]));
}

/** Every rolled-back rollout with how long the rollback took, against the 5-minute target. */
export function renderRollbacks(rollouts) {
  const rows = rollouts
    .filter((r) => r.phase === 'rolled-back')
    .map((r) => {
      const rollback = [...r.decisions].reverse().find((d) => d.action === 'rollback');
      const took = r.rollbackDurationSeconds;
      return el('tr', { attrs: { 'data-rollout': r.id } }, [
        el('td', { text: r.id }),
        el('td', { className: 'num', text: rollback ? clock(rollback.at) : clock(r.updatedAt) }),
        el('td', { className: `num ${took !== null && took > 300 ? 'late' : 'ok'}`, text: duration(took) }),
        el('td', { className: 'num', text: duration(r.timeToDecideSeconds) }),
        el('td', { text: rollback?.headline ?? r.headline ?? '—' }),
      ]);
    });
  $('rollbacks').replaceChildren(
    ...(rows.length ? rows : [el('tr', {}, [el('td', { text: 'No rollbacks.', attrs: { colspan: '5' } })])]),
  );
}
