// The loss landscape panel: the server's grid of the loss over two weights (GET /landscape),
// drawn as a heat map in the page's blues, with the path training took and the current point.
// The grid is fetched again as training moves (at most about once a second, one at a time);
// the current point follows every frame, and the timeline's epoch when scrubbing.

import * as api from './api.js';
import { niceTicks, sizedContext } from './canvas.js';
import { num } from './format.js';
import { tOr } from './i18n.js';
import { WORDS } from './words.js';

const LOW = [16, 64, 112]; // the valley: a deep blue
const HIGH = [247, 246, 240]; // the heights: near white
const REFRESH_MS = 1000;
const SIZE = 48;

export class LandscapePanel {
  constructor(canvas, note, sessionId) {
    Object.assign(this, { canvas, note, sessionId });
    this.grid = null;
    this.loading = false;
    this.fetchedKey = null;
    this.fetchedAt = 0;
    this.image = document.createElement('canvas');
    this.frame = null;
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  update(frame, live) {
    // A hidden layer's output weights span no plane of the inputs: the landscape is a single neuron's.
    const network = Boolean(frame.config.hidden_units);
    this.canvas.parentElement.hidden = network;
    if (network) return;
    this.frame = frame;
    this.refresh(live);
    this.draw();
  }

  refresh(live) {
    if (!live || this.loading) return;
    const key = JSON.stringify([live.data_version, live.config, live.epoch, live.step, live.weights, live.bias]);
    const soon = live.status === 'running' && Date.now() - this.fetchedAt < REFRESH_MS;
    if (key === this.fetchedKey || soon) return;
    this.fetchedKey = key;
    this.fetchedAt = Date.now();
    this.loading = true;
    api.getLandscape(this.sessionId(), SIZE).then((grid) => {
      this.grid = grid;
      this.paint(grid);
      this.draw();
    }).catch(() => {
      this.fetchedKey = null; // try again with the next frame
    }).finally(() => {
      this.loading = false;
      if (this.frame) this.refresh(live.status === 'running' ? null : this.frame);
    });
  }

  paint(grid) {
    const n = grid.size;
    this.image.width = n;
    this.image.height = n;
    const ctx = this.image.getContext('2d');
    const pixels = ctx.createImageData(n, n);
    const span = grid.high - grid.low || 1;
    grid.values.forEach((row, r) => row.forEach((v, c) => {
      const t = Math.sqrt(Math.max(0, (v - grid.low) / span)); // the valley floor stays readable
      const at = (r * n + c) * 4;
      for (let k = 0; k < 3; k += 1) pixels.data[at + k] = Math.round(LOW[k] + (HIGH[k] - LOW[k]) * t);
      pixels.data[at + 3] = 255;
    }));
    ctx.putImageData(pixels, 0, 0);
  }

  draw() {
    const { canvas, grid, frame } = this;
    const sized = sizedContext(canvas);
    if (!sized) return;
    const { ctx, w, h } = sized;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    if (!grid || !frame) {
      this.note.textContent = frame && frame.weights.length < 2 ? WORDS.landscape.tooFew : '';
      return;
    }
    const L = { left: 44, top: 6, width: w - 52, height: h - 40 };
    const [x0, x1] = [grid.x[0], grid.x[grid.x.length - 1]];
    const [y0, y1] = [grid.y[grid.y.length - 1], grid.y[0]];
    const sx = (x) => L.left + ((x - x0) / (x1 - x0)) * L.width;
    const sy = (y) => L.top + ((y1 - y) / (y1 - y0)) * L.height;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.image, L.left, L.top, L.width, L.height);
    axes(ctx, L, sx, sy, [x0, x1, y0, y1], weightNames(grid, frame).map((name) => `w (${name})`));
    ctx.save();
    ctx.beginPath();
    ctx.rect(L.left, L.top, L.width, L.height);
    ctx.clip();
    path(ctx, grid.path, sx, sy);
    const current = [frame.weights[grid.i], frame.weights[grid.j]];
    ctx.fillStyle = '#E69F00';
    ctx.strokeStyle = '#111';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(sx(current[0]), sy(current[1]), 6, 0, Math.PI * 2);
    ctx.fill();
    ctx.stroke();
    ctx.restore();
    this.describe(grid, frame);
  }

  describe(grid, frame) {
    const [a, b] = weightNames(grid, frame);
    const words = WORDS.landscape;
    let text = grid.kind === 'errors' ? words.errors(a, b) : words.loss(a, b);
    if (!frame.config.use_bias && grid.kind === 'loss') text += ` ${words.noBias(num(grid.low))}`;
    text += ` (${words.range(num(grid.low), num(grid.high))})`;
    this.note.textContent = text;
    this.canvas.setAttribute('aria-label', words.aria(a, b));
    this.canvas.dataset.pathPoints = String(grid.path.length);
    this.canvas.dataset.current = JSON.stringify(current(grid, frame));
  }
}

const current = (grid, frame) => [frame.weights[grid.i], frame.weights[grid.j]];

function path(ctx, points, sx, sy) {
  if (!points.length) return;
  for (const [style, width] of [['#ffffff', 4], ['#111111', 2]]) {
    ctx.strokeStyle = style;
    ctx.lineWidth = width;
    ctx.beginPath();
    points.forEach(([x, y], k) => (k ? ctx.lineTo(sx(x), sy(y)) : ctx.moveTo(sx(x), sy(y))));
    ctx.stroke();
  }
  ctx.fillStyle = '#fff';
  ctx.strokeStyle = '#111';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.arc(sx(points[0][0]), sy(points[0][1]), 4, 0, Math.PI * 2);
  ctx.fill();
  ctx.stroke();
}

function axes(ctx, L, sx, sy, [x0, x1, y0, y1], [nameX, nameY]) {
  ctx.strokeStyle = '#1a1a1a';
  ctx.lineWidth = 1;
  ctx.strokeRect(L.left, L.top, L.width, L.height);
  ctx.fillStyle = '#1a1a1a';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const x of niceTicks(x0, x1, 4)) ctx.fillText(num(x), sx(x), L.top + L.height + 3);
  ctx.fillText(nameX, L.left + L.width / 2, L.top + L.height + 18);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const y of niceTicks(y0, y1, 4)) ctx.fillText(num(y), L.left - 4, sy(y));
  ctx.save();
  ctx.translate(10, L.top + L.height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText(nameY, 0, 0);
  ctx.restore();
}

/** The two weights' feature names, in the page's language where the catalog names them. */
function weightNames(grid, frame) {
  return grid.names.map((name, k) => tOr(`feature.${frame.config.dataset}.${[grid.i, grid.j][k]}`, name));
}
