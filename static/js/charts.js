// Loss and accuracy per epoch, train and test, drawn with the vendored uPlot.

const TRAIN = '#0072B2';
const TEST = '#D55E00';
const MAX_POINTS = 20000;

function chartOptions(width, title, series, yRange) {
  return {
    width,
    height: 170,
    title,
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false }, y: yRange ? { range: yRange } : { auto: true } },
    axes: [
      { label: 'epoch', stroke: '#1a1a1a', grid: { stroke: 'rgba(0,0,0,0.08)' } },
      {
        stroke: '#1a1a1a',
        grid: { stroke: 'rgba(0,0,0,0.08)' },
        values: yRange ? (_, ticks) => ticks.map((t) => `${Math.round(t * 100)}%`) : undefined,
        size: 56,
      },
    ],
    series: [{ label: 'epoch' }, ...series],
  };
}

export class Charts {
  constructor(lossElement, accuracyElement) {
    this.lossElement = lossElement;
    this.accuracyElement = accuracyElement;
    this.rows = { epoch: [], loss: [], accuracy: [], test: [] };
    this.plots = null;
    this.hasTest = false;
    new ResizeObserver(() => this.resize()).observe(lossElement);
  }

  build() {
    if (!window.uPlot) return;
    const width = Math.max(200, this.lossElement.clientWidth);
    this.lossElement.replaceChildren();
    this.accuracyElement.replaceChildren();
    const accuracySeries = [{ label: 'train', stroke: TRAIN, width: 2 }];
    if (this.hasTest) accuracySeries.push({ label: 'test', stroke: TEST, width: 2, dash: [8, 5] });
    this.plots = [
      new window.uPlot(chartOptions(width, 'Loss', [{ label: 'loss', stroke: TRAIN, width: 2 }]),
        this.lossData(), this.lossElement),
      new window.uPlot(chartOptions(width, 'Accuracy', accuracySeries, [0, 1]),
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
    for (const plot of this.plots) plot.setSize({ width, height: 170 });
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
