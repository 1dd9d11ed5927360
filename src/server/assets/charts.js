import uPlot from '/assets/vendor/uPlot.esm.js';
import { $ } from './dom.js';

const height = 220;
const xAxis = { label: 'seconds since start', values: (_u, ticks) => ticks.map((t) => `${t}s`) };

function scoreOptions(width) {
  return {
    width,
    height,
    scales: { x: { time: false }, score: { range: [0, 1.05] }, weight: { range: [0, 100] } },
    series: [
      { label: 't' },
      {
        label: 'score',
        scale: 'score',
        stroke: '#2f5fd0',
        width: 2,
        value: (_u, v) => (v === null ? '—' : v.toFixed(3)),
      },
      { label: 'threshold', scale: 'score', stroke: '#c62828', dash: [6, 4], width: 1.5 },
      { label: 'weight %', scale: 'weight', stroke: '#9aa3b5', width: 1, paths: uPlot.paths.stepped({ align: 1 }) },
    ],
    axes: [
      xAxis,
      { scale: 'score', label: 'score' },
      { scale: 'weight', side: 1, label: 'weight %', grid: { show: false } },
    ],
  };
}

function healthOptions(width) {
  return {
    width,
    height,
    scales: {
      x: { time: false },
      pct: { range: [0, 100] },
      burn: { auto: true, range: (_u, _min, max) => [0, Math.max(max, 1)] },
    },
    series: [
      { label: 't' },
      { label: 'synthetic availability %', scale: 'pct', stroke: '#1f8a4c', width: 2 },
      { label: 'budget burn %', scale: 'burn', stroke: '#b26a00', width: 2 },
    ],
    axes: [
      xAxis,
      { scale: 'pct', label: 'availability %' },
      { scale: 'burn', side: 1, label: 'budget %', grid: { show: false } },
    ],
  };
}

const pct = (x) => (x === null || x === undefined ? null : x * 100);

/** Turns a rollout's intervals into uPlot's column arrays. */
function columns(r) {
  const xs = r.intervals.map((p) => p.t);
  return {
    score: [xs, r.intervals.map((p) => p.score), xs.map(() => r.minScore), r.intervals.map((p) => p.weight)],
    health: [xs, r.intervals.map((p) => pct(p.syntheticAvailability)), r.intervals.map((p) => pct(p.budgetBurn))],
  };
}

/** Two charts that follow the selected rollout; created once, then fed new data. */
export function createCharts() {
  let score;
  let health;
  const width = () => Math.max(320, $('score-chart').clientWidth);
  window.addEventListener('resize', () => {
    score?.setSize({ width: width(), height });
    health?.setSize({ width: width(), height });
  });
  return {
    /** @param {any} r */
    update(r) {
      const data = columns(r);
      if (!score) {
        score = new uPlot(scoreOptions(width()), data.score, $('score-chart'));
        health = new uPlot(healthOptions(width()), data.health, $('health-chart'));
        return;
      }
      score.setData(data.score);
      health.setData(data.health);
    },
  };
}
