import { createCharts } from './charts.js';
import { $ } from './dom.js';
import { wireActions } from './actions.js';
import { renderDetail, renderList, renderRollbacks } from './render.js';

// State is whatever the server last said: full snapshots from the event stream, patched by interval and
// decision events between snapshots.
const rollouts = new Map();
let chosen = decodeURIComponent(location.hash.slice(1)) || null;
const charts = createCharts();

const byNewest = () => [...rollouts.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt));

/** The rollout on screen: the one a person picked, else the newest one still running, else the newest. */
function selected() {
  if (chosen && rollouts.has(chosen)) return chosen;
  const list = byNewest();
  const active = list.find((r) => r.phase === 'progressing' || r.phase === 'holding' || r.phase === 'pending');
  return (active ?? list[0])?.id ?? null;
}

let queued = false;
function render() {
  if (queued) return;
  queued = true;
  requestAnimationFrame(() => {
    queued = false;
    const list = byNewest();
    const id = selected();
    renderList(list, id);
    renderRollbacks(list);
    const r = id && rollouts.get(id);
    if (r) {
      renderDetail(r);
      charts.update(r);
    }
  });
}

function apply(event) {
  if (event.type === 'snapshot') rollouts.set(event.rollout.id, event.rollout);
  const r = rollouts.get(event.rolloutId);
  if (event.type === 'interval' && r && !r.intervals.some((p) => p.t === event.point.t)) {
    r.intervals.push(event.point);
    // The interval that led to a final decision can arrive after it; the decision's snapshot has the last word.
    const final = r.phase === 'promoted' || r.phase === 'rolled-back';
    if (!final)
      Object.assign(r, {
        step: event.point.step,
        weight: event.point.weight,
        score: event.point.score,
        verdict: event.point.verdict,
      });
  }
  if (
    event.type === 'decision' &&
    r &&
    !r.decisions.some((d) => d.at === event.decision.at && d.action === event.decision.action)
  ) {
    r.decisions.push(event.decision);
  }
  render();
}

// `adaptive-canary dashboard` serves past rollouts from the evidence: nothing to steer, nothing live.
let readOnly = false;

function showConnected() {
  const connection = $('connection');
  connection.dataset.state = readOnly ? 'read-only' : 'live';
  connection.textContent = readOnly ? 'read-only · past rollouts from the evidence' : 'live';
}

async function loadInfo() {
  const info = await fetch('/api/v1/info')
    .then((res) => res.json())
    .catch(() => ({}));
  readOnly = info.data?.readOnly === true;
  $('actions').hidden = readOnly;
  if (readOnly) showConnected();
}

function connect() {
  const connection = $('connection');
  const source = new EventSource('/api/v1/events');
  source.addEventListener('open', showConnected);
  source.addEventListener('error', () => {
    connection.dataset.state = 'reconnecting';
    connection.textContent = 'reconnecting…';
  });
  for (const type of ['snapshot', 'interval', 'decision']) {
    source.addEventListener(type, (message) => apply(JSON.parse(message.data)));
  }
}

$('rollout-list').addEventListener('click', (e) => {
  const button = e.target instanceof Element ? e.target.closest('[data-rollout]') : null;
  if (!button) return;
  chosen = button.getAttribute('data-rollout');
  $('action-status').textContent = '';
  history.replaceState(null, '', `#${encodeURIComponent(chosen)}`);
  render();
});
wireActions(selected);
void loadInfo();
connect();
