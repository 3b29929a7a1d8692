// Loss and accuracy per epoch, train and test, drawn with the vendored uPlot.

import { count, num } from './format.js';
import { LANG, t } from './i18n.js';

const TRAIN = '#0072B2';
const TEST = '#D55E00';
const MAX_POINTS = 20000;
// Epochs are whole numbers: ticks only at whole steps.
const EPOCH_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6];

const HEIGHT = { normal: 130, large: 140 };

/** The accuracy axis zoomed to the curves (98.2% and 98.7% are two lines, not one), within 0–100%. */
export function accuracyRange(min, max) {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  const pad = Math.max(0.005, (max - min) * 0.15); // a flat curve: ticks half a percent either side
  return [Math.max(0, min - pad), Math.min(1, max + pad)];
}

// Accuracy ticks at whole tenths of a percent, so that each label is exactly its tick (uPlot's
// own steps put ticks at 49.75% and 50.25%, which one decimal showed as 49.8% and 50.3%).
const PERCENT_STEPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1];
const TICK = [0, 1].map((digits) => new Intl.NumberFormat(LANG, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits }));
export const percentTicks = (u, ticks, axis, space, step) => ticks.map((tick) => TICK[step < 0.01 ? 1 : 0].format(tick));
const lossValue = (_, v) => (v === null || v === undefined ? '—' : num(v));
const percentValue = (_, v) => (v === null || v === undefined ? '—' : TICK[1].format(v));

function chartOptions(width, title, series, accuracy, large) {
  const font = `${large ? 15 : 11}px system-ui, sans-serif`;
  const axis = { stroke: '#1a1a1a', grid: { stroke: 'rgba(0,0,0,0.08)' }, ticks: { size: 4 }, font };
  return {
    width,
    height: large ? HEIGHT.large : HEIGHT.normal,
    title,
    // Live: hovering a curve shows the epoch and the values there in the legend line.
    legend: { live: true },
    cursor: { drag: { x: false, y: false }, points: { size: 7 } },
    padding: [6, 20, 0, 0], // room for the last epoch label
    scales: {
      x: { time: false },
      y: accuracy ? { range: (_, min, max) => accuracyRange(min, max) } : { auto: true },
    },
    axes: [
      { ...axis, incrs: EPOCH_STEPS, size: large ? 30 : 24, values: (u, ticks) => ticks.map(count) },
      {
        ...axis,
        ...(accuracy ? { incrs: PERCENT_STEPS, values: percentTicks }
          : { values: (u, ticks) => ticks.map(num) }), // in the page's language: 0,4 in Spanish and French
        size: large ? 64 : 48,
      },
    ],
    series: [{ label: t('charts.epoch'), value: (_, v) => (v === null || v === undefined ? '—' : count(v)) },
      ...series.map((one) => ({ value: accuracy ? percentValue : lossValue, ...one }))],
  };
}

export class Charts {
  constructor(lossElement, accuracyElement) {
    this.lossElement = lossElement;
    this.accuracyElement = accuracyElement;
    this.rows = { epoch: [], loss: [], accuracy: [], test: [] };
    this.plots = null;
    this.hasTest = false;
    this.large = false;
    new ResizeObserver(() => this.resize()).observe(lossElement);
  }

  build() {
    if (!window.uPlot) return;
    const width = Math.max(200, this.lossElement.clientWidth);
    this.lossElement.replaceChildren();
    this.accuracyElement.replaceChildren();
    const accuracySeries = [{ label: t('charts.train'), stroke: TRAIN, width: 2 }];
    if (this.hasTest) accuracySeries.push({ label: t('charts.test'), stroke: TEST, width: 2, dash: [8, 5] });
    this.plots = [
      new window.uPlot(chartOptions(width, t('charts.loss'), [{ label: t('charts.loss_series'), stroke: TRAIN, width: 2 }], false, this.large),
        this.lossData(), this.lossElement),
      new window.uPlot(chartOptions(width, t('charts.accuracy'), accuracySeries, true, this.large),
        this.accuracyData(), this.accuracyElement),
    ];
  }

  lossData() {
    return [this.rows.epoch, this.rows.loss];
  }

  accuracyData() {
    const data = [this.rows.epoch, this.rows.accuracy];
    if (this.hasTest) data.push(this.rows.test);
    return data;
  }

  resize() {
    if (!this.plots) return;
    const width = Math.max(200, this.lossElement.clientWidth);
    for (const plot of this.plots) plot.setSize({ width, height: this.large ? HEIGHT.large : HEIGHT.normal });
  }

  /** Larger type for presenter mode (uPlot draws its axes on a canvas, out of CSS's reach). */
  setLarge(large) {
    if (large === this.large) return;
    this.large = large;
    if (this.plots) this.build();
  }

  /** Replace every point with a history (a list of per-epoch rows). */
  setHistory(history, hasTest) {
    this.rows = { epoch: [], loss: [], accuracy: [], test: [] };
    for (const row of history) this.push(row);
    this.redraw(hasTest);
  }

  /** Add the epoch a frame reached, if it is past the last one drawn. */
  append(frame) {
    const last = this.rows.epoch[this.rows.epoch.length - 1];
    if (last !== undefined && frame.epoch <= last) return;
    if (frame.epoch === 0 && last === undefined && frame.step === 0) return;
    this.push(frame);
    this.redraw(frame.test_accuracy !== null && frame.test_accuracy !== undefined);
  }

  push(row) {
    const r = this.rows;
    r.epoch.push(row.epoch);
    r.loss.push(Number.isFinite(row.loss) ? row.loss : null);
    r.accuracy.push(row.accuracy);
    r.test.push(row.test_accuracy ?? null);
    if (r.epoch.length > MAX_POINTS) {
      // keep every other point: the curve's shape survives, the memory stays bounded
      for (const key of Object.keys(r)) r[key] = r[key].filter((_, i) => i % 2 === 0);
    }
  }

  redraw(hasTest) {
    if (!this.plots || hasTest !== this.hasTest) {
      this.hasTest = hasTest;
      this.build();
      return;
    }
    this.plots[0].setData(this.lossData());
    this.plots[1].setData(this.accuracyData());
  }
}
