// Metrics from the server's state (`metrics`): a confusion matrix with the class names,
// precision, recall and F1 for the training set and the test split, and the ROC curve with its
// AUC for a smooth activation. Open by default when the data has a test split (lesson 7).

import { num, translatedClasses } from './format.js';
import { WORDS } from './words.js';

const ratio = (x) => (x === null || x === undefined ? WORDS.metrics.undefined : num(Number(x.toFixed(3))));

export class MetricsPanel {
  constructor({ panel, body, roc }) {
    Object.assign(this, { panel, body, roc });
    this.key = null;
    this.opened = false;
  }

  update(frame) {
    const m = frame.metrics;
    if (!m) return;
    if (!this.opened && m.test) {
      this.panel.open = true;
      this.opened = true;
    }
    const key = JSON.stringify(m);
    if (key === this.key) return;
    this.key = key;
    const sets = [[WORDS.metrics.train, m.train, 'train'], [WORDS.metrics.test, m.test, 'test']].filter(([, s]) => s);
    const classes = translatedClasses(frame.config.dataset, m.class_names);
    this.body.replaceChildren(...sets.map(([name, s, id]) => setBlock(name, s, id, classes)));
    const curves = sets.filter(([, s]) => s.roc);
    this.roc.hidden = curves.length === 0;
    if (curves.length) drawRoc(this.roc, curves.map(([name, s]) => [name, s.roc]));
  }
}

function setBlock(name, s, id, [c0, c1]) {
  const block = document.createElement('div');
  block.className = 'metrics-set';
  const table = document.createElement('table');
  table.className = 'confusion';
  table.id = `confusion-${id}`;
  const caption = table.createCaption();
  caption.textContent = WORDS.metrics.set(name, s.total);
  const c = s.confusion;
  const rows = [['', WORDS.metrics.predicted(c0), WORDS.metrics.predicted(c1)],
    [WORDS.metrics.actual(c0), c.tn, c.fp], [WORDS.metrics.actual(c1), c.fn, c.tp]];
  rows.forEach((cells, r) => {
    const tr = table.insertRow();
    cells.forEach((value, k) => {
      // The corner heads nothing: an empty header cell would be read out as one with no name.
      const cell = document.createElement((r === 0) !== (k === 0) ? 'th' : 'td');
      if (r === 0 && k) cell.scope = 'col';
      if (k === 0 && r) cell.scope = 'row';
      cell.textContent = String(value);
      if (r && k) cell.className = r === k ? 'right' : 'wrong';
      tr.append(cell);
    });
  });
  const scores = document.createElement('p');
  scores.className = 'metrics-scores';
  scores.textContent = WORDS.metrics.scores(ratio(s.precision), ratio(s.recall), ratio(s.f1))
    + (s.roc ? ` · ${WORDS.metrics.auc(ratio(s.roc.auc))}` : '');
  block.append(table, scores);
  return block;
}

function drawRoc(canvas, curves) {
  const dpr = window.devicePixelRatio || 1;
  const size = canvas.clientWidth || 160;
  canvas.width = Math.round(size * dpr);
  canvas.height = Math.round(size * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const pad = 22;
  const s = (v) => pad + v * (size - pad - 6);
  const t = (v) => size - pad - v * (size - pad - 6);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, size, size);
  ctx.strokeStyle = '#1a1a1a';
  ctx.strokeRect(s(0), t(1), s(1) - s(0), t(0) - t(1));
  ctx.setLineDash([3, 3]);
  ctx.strokeStyle = '#888';
  ctx.beginPath();
  ctx.moveTo(s(0), t(0));
  ctx.lineTo(s(1), t(1));
  ctx.stroke();
  ctx.setLineDash([]);
  const colours = ['#555555', '#0072B2'];
  curves.forEach(([, roc], k) => {
    ctx.strokeStyle = colours[k % 2];
    ctx.lineWidth = 2;
    ctx.beginPath();
    roc.fpr.forEach((x, i) => (i ? ctx.lineTo(s(x), t(roc.tpr[i])) : ctx.moveTo(s(x), t(roc.tpr[i]))));
    ctx.stroke();
  });
  ctx.fillStyle = '#1a1a1a';
  ctx.font = '10px system-ui, sans-serif';
  ctx.fillText(WORDS.metrics.fpr, size / 2, size - 6);
  ctx.fillText(WORDS.metrics.tpr, 2, pad - 8);
  curves.forEach(([name], k) => {
    ctx.fillStyle = colours[k % 2];
    ctx.fillText(name, s(0.45), t(0.12 + 0.1 * k));
  });
  canvas.setAttribute('aria-label', WORDS.metrics.roc);
}
