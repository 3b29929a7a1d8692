// The plot: the neuron's output as a heatmap, its boundary line, axes, and the data points
// coloured and shaped by class. HiDPI, redrawn on resize; clicks become points on a custom set.

import { t } from './i18n.js';
import { count, num, onlineSample, translatedFeatures } from './format.js';
import { contourSegments } from './contour.js';
import { HIDDEN_COLOURS } from './network.js';

// Okabe–Ito orange and blue: a pair that stays distinct under every common colour-vision type.
export const CLASS_COLOURS = ['#E69F00', '#0072B2'];
const HEAT_LOW = [246, 190, 110]; // class-0 target, a light orange
const HEAT_MID = [248, 248, 246];
const HEAT_HIGH = [120, 178, 224]; // class-1 target, a light blue

/** 256 colours from the class-0 target through near-white to the class-1 target. */
function buildPalette() {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i += 1) {
    const t = i / 255;
    const [a, b, u] = t < 0.5 ? [HEAT_LOW, HEAT_MID, t * 2] : [HEAT_MID, HEAT_HIGH, t * 2 - 1];
    for (let c = 0; c < 3; c += 1) lut[i * 3 + c] = Math.round(a[c] + (b[c] - a[c]) * u);
  }
  return lut;
}
const PALETTE = buildPalette();

/** Round tick values covering [lo, hi], about `count` of them. */
/** A canvas sized to its box at the screen's pixel density, and its context drawing in CSS
 *  pixels: {ctx, w, h}; null while the canvas has no size (hidden). */
export function sizedContext(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (!w || !h) return null;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, w, h };
}

export function niceTicks(lo, hi, count = 5) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * span; v += step) {
    ticks.push(Math.abs(v) < 1e-12 ? 0 : Number(v.toPrecision(6)));
  }
  return ticks;
}

function decodeGrid(grid) {
  const bytes = Uint8Array.from(atob(grid.data), (c) => c.charCodeAt(0));
  return { width: grid.width, height: grid.height, bytes };
}

/**
 * What to draw for a frame: its boundary and grid, the data (when it belongs to this frame),
 * the sample of the last online update, and the view options.
 */
export function sceneFrom(frame, data, { cleared = false, show_test: showTest, discretise }) {
  const custom = cleared; // the user's points, cleared: nothing drawn until the first new one
  const names = frame.feature_names?.length === 2 ? translatedFeatures(frame.config.dataset, frame.feature_names) : ['x1', 'x2'];
  return {
    view: frame.boundary.view,
    grid: custom ? null : frame.boundary.grid,
    line: custom ? null : frame.boundary.line,
    hiddenLines: custom ? null : frame.boundary.hidden_lines ?? null,
    points: data && !custom ? { X: data.X, y: data.y, predictions: frame.predictions } : null,
    test: data && !custom && showTest && data.X_test ? { X: data.X_test, y: data.y_test } : null,
    highlight: onlineSample(frame),
    discretise,
    labels: axisNames(frame, names),
  };
}

/** The axes: the two features, two chosen ones past two (plane.features), else PC 1 and PC 2. */
export function axisNames(frame, names) {
  const plane = frame.boundary.plane;
  if (!plane) return names;
  if (!plane.features) return [t('axis.pc', { n: 1 }), t('axis.pc', { n: 2 })];
  return plane.features.map((i) => (frame.feature_names?.[i] ? translatedFeatures(frame.config.dataset, frame.feature_names)[i] : `x${i + 1}`));
}

/** What the plot shows, in words, for a screen reader. */
export function describeScene(frame, scene) {
  const [xName, yName] = scene.labels;
  if (!scene.points) return t('scene.empty', { x: xName, y: yName });
  const wrong = scene.points.y.filter((y, i) => frame.predictions[i] !== y).length;
  const hidden = frame.boundary.hidden_lines;
  const line = hidden ? t('scene.curved', { count: hidden.length })
    : frame.boundary.line ? t('scene.line') : t('scene.no_line');
  return t('scene.points', { count: scene.points.y.length, x: xName, y: yName, wrong: count(wrong), line });
}

export class Plot {
  constructor(canvas, { onAddPoint } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.scene = null;
    this.gridKey = null;
    this.heat = document.createElement('canvas');
    this.onAddPoint = onAddPoint;
    this.editable = false;
    this.fixedView = null; // while points are placed the axes stay put (null: the frame's view)
    new ResizeObserver(() => this.resize()).observe(canvas);
    canvas.addEventListener('click', (event) => this.click(event));
  }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.canvas.clientWidth * dpr));
    const h = Math.max(1, Math.round(this.canvas.clientHeight * dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
      this.draw();
    }
  }

  /** scene: {view, grid, line, points: {X, y, predictions}, test: {X, y}|null, highlight,
   *  discretise, labels: [x, y]} */
  setScene(scene) {
    this.scene = scene;
    this.draw();
  }

  layout() {
    const dpr = window.devicePixelRatio || 1;
    const font = parseFloat(getComputedStyle(this.canvas).fontSize) || 14;
    const left = Math.round(font * 3.6);
    const bottom = Math.round(font * 3);
    const top = Math.round(font * 0.8);
    const right = Math.round(font * 1.2);
    const w = this.canvas.width / dpr;
    const h = this.canvas.height / dpr;
    return { dpr, font, left, top, width: w - left - right, height: h - top - bottom, w, h };
  }

  draw() {
    const { ctx, scene } = this;
    const L = this.layout();
    ctx.setTransform(L.dpr, 0, 0, L.dpr, 0, 0);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, L.w, L.h);
    if (!scene || !scene.view || L.width <= 0 || L.height <= 0) return;
    const [x0, x1, y0, y1] = this.fixedView ?? scene.view;
    const sx = (x) => L.left + ((x - x0) / (x1 - x0)) * L.width;
    const sy = (y) => L.top + ((y1 - y) / (y1 - y0)) * L.height;
    this.toPixel = (x, y) => [sx(x), sy(y)];
    this.toData = (px, py) => [x0 + ((px - L.left) / L.width) * (x1 - x0),
      y1 - ((py - L.top) / L.height) * (y1 - y0)];
    this.ctx.save();
    this.ctx.beginPath();
    this.ctx.rect(L.left, L.top, L.width, L.height);
    this.ctx.clip(); // the frame's view may reach past fixed axes
    this.drawHeatmap(scene, L, sx, sy);
    this.ctx.restore();
    this.drawAxes(scene, L, sx, sy, [x0, x1, y0, y1]);
    this.ctx.save();
    this.ctx.beginPath();
    this.ctx.rect(L.left, L.top, L.width, L.height);
    this.ctx.clip();
    this.drawTrail(scene, L, sx, sy);
    this.drawHiddenLines(scene, L, sx, sy);
    this.drawCurve(scene, sx, sy);
    this.drawLine(scene, sx, sy);
    this.ctx.restore();
    this.drawHiddenLabels(scene, L, sx, sy);
    this.drawPoints(scene, L, sx, sy);
  }

  /** The frame's grid covers the frame's view, which is drawn where it falls on these axes. */
  drawHeatmap(scene, L, sx, sy) {
    if (!scene.grid) return;
    const key = `${scene.grid.data}|${scene.discretise}`;
    if (key !== this.gridKey) {
      const { width, height, bytes } = decodeGrid(scene.grid);
      this.heat.width = width;
      this.heat.height = height;
      const hctx = this.heat.getContext('2d');
      const image = hctx.createImageData(width, height);
      for (let i = 0; i < bytes.length; i += 1) {
        const level = scene.discretise ? (bytes[i] >= 128 ? 255 : 0) : bytes[i];
        image.data.set(PALETTE.subarray(level * 3, level * 3 + 3), i * 4);
        image.data[i * 4 + 3] = 255;
      }
      hctx.putImageData(image, 0, 0);
      this.gridKey = key;
    }
    this.ctx.imageSmoothingEnabled = !scene.discretise;
    const [g0, g1, h0, h1] = scene.view;
    this.ctx.drawImage(this.heat, sx(g0), sy(h1), sx(g1) - sx(g0), sy(h0) - sy(h1));
  }

  drawAxes(scene, L, sx, sy, [x0, x1, y0, y1]) {
    const { ctx } = this;
    ctx.font = `${L.font}px system-ui, sans-serif`;
    ctx.fillStyle = '#1a1a1a';
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.12)';
    ctx.lineWidth = 1;
    const xs = niceTicks(x0, x1, Math.max(2, Math.round(L.width / (L.font * 6))));
    const ys = niceTicks(y0, y1, Math.max(2, Math.round(L.height / (L.font * 4))));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const x of xs) {
      ctx.beginPath();
      ctx.moveTo(sx(x), L.top);
      ctx.lineTo(sx(x), L.top + L.height + 5);
      ctx.stroke();
      ctx.fillText(tickLabel(x), sx(x), L.top + L.height + 7);
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const y of ys) {
      ctx.beginPath();
      ctx.moveTo(L.left - 5, sy(y));
      ctx.lineTo(L.left + L.width, sy(y));
      ctx.stroke();
      ctx.fillText(tickLabel(y), L.left - 8, sy(y));
    }
    ctx.strokeStyle = '#1a1a1a';
    ctx.strokeRect(L.left, L.top, L.width, L.height);
    const [labelX, labelY] = scene.labels;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.font = `600 ${L.font}px system-ui, sans-serif`;
    ctx.fillText(labelX, L.left + L.width / 2, L.h - 2);
    ctx.save();
    ctx.translate(L.font * 0.2, L.top + L.height / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'top';
    ctx.fillText(labelY, 0, 0);
    ctx.restore();
  }

  /** Each hidden neuron's own line (where its z is 0), dashed in its colour and named hⱼ. */
  drawHiddenLines(scene, L, sx, sy) {
    if (!scene.hiddenLines) return;
    const { ctx } = this;
    ctx.save();
    ctx.font = `bold ${L.font}px system-ui, sans-serif`;
    scene.hiddenLines.forEach((line, j) => {
      if (!line) return;
      const [[ax, ay], [bx, by]] = line;
      const colour = HIDDEN_COLOURS[j % HIDDEN_COLOURS.length];
      for (const [style, width] of [['#ffffff', 5], [colour, 2.5]]) {
        ctx.strokeStyle = style;
        ctx.lineWidth = width;
        ctx.setLineDash([10, 6]);
        ctx.beginPath();
        ctx.moveTo(sx(ax), sy(ay));
        ctx.lineTo(sx(bx), sy(by));
        ctx.stroke();
      }
    });
    ctx.restore();
  }

  /** Each hidden line's name, a little way in from one end (drawn last, so nothing covers it). */
  drawHiddenLabels(scene, L, sx, sy) {
    if (!scene.hiddenLines) return;
    const { ctx } = this;
    ctx.save();
    ctx.font = `bold ${L.font}px system-ui, sans-serif`;
    ctx.lineWidth = 4;
    ctx.strokeStyle = '#ffffff';
    scene.hiddenLines.forEach((line, j) => {
      if (!line) return;
      const [[ax, ay], [bx, by]] = line;
      const tx = sx(ax + (bx - ax) * 0.12) + 6;
      const ty = sy(ay + (by - ay) * 0.12) - 6;
      ctx.strokeText(`h${j + 1}`, tx, ty);
      ctx.fillStyle = HIDDEN_COLOURS[j % HIDDEN_COLOURS.length];
      ctx.fillText(`h${j + 1}`, tx, ty);
    });
    ctx.restore();
  }

  /** A network's boundary is curved: where its output grid crosses one half. */
  drawCurve(scene, sx, sy) {
    if (!scene.hiddenLines || !scene.grid) return;
    if (this.curveKey !== scene.grid.data) {
      this.curve = contourSegments(decodeGrid(scene.grid));
      this.curveKey = scene.grid.data;
    }
    const [x0, x1, y0, y1] = scene.view;
    const { width, height } = scene.grid;
    const px = (gx) => sx(x0 + (gx / width) * (x1 - x0));
    const py = (gy) => sy(y1 - (gy / height) * (y1 - y0));
    const { ctx } = this;
    for (const [style, lineWidth] of [['#ffffff', 6], ['#111111', 3]]) {
      ctx.strokeStyle = style;
      ctx.lineWidth = lineWidth;
      ctx.lineCap = 'round';
      ctx.beginPath();
      for (const [[ax, ay], [bx, by]] of this.curve) {
        ctx.moveTo(px(ax), py(ay));
        ctx.lineTo(px(bx), py(by));
      }
      ctx.stroke();
    }
    ctx.lineCap = 'butt';
  }

  /** Earlier boundary lines (scene.trail, oldest first), fainter the older they are. */
  drawTrail(scene, L, sx, sy) {
    const trail = scene.trail ?? [];
    this.canvas.dataset.trail = String(trail.length); // how many are drawn, for a reader and a test
    const { ctx } = this;
    ctx.save();
    ctx.beginPath();
    ctx.rect(L.left, L.top, L.width, L.height);
    ctx.clip();
    trail.forEach(([[ax, ay], [bx, by]], k) => {
      ctx.strokeStyle = `rgba(17, 17, 17, ${(0.12 + (0.4 * (k + 1)) / trail.length).toFixed(3)})`;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(sx(ax), sy(ay));
      ctx.lineTo(sx(bx), sy(by));
      ctx.stroke();
    });
    ctx.restore();
  }

  drawLine(scene, sx, sy) {
    if (!scene.line) return;
    const { ctx } = this;
    const [[ax, ay], [bx, by]] = scene.line;
    for (const [style, width] of [['#ffffff', 6], ['#111111', 3]]) {
      ctx.strokeStyle = style;
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.moveTo(sx(ax), sy(ay));
      ctx.lineTo(sx(bx), sy(by));
      ctx.stroke();
    }
  }

  drawPoints(scene, L, sx, sy) {
    const { points, test } = scene;
    const n = (points?.y.length ?? 0) + (test?.y.length ?? 0);
    const r = Math.max(2.5, Math.min(L.font * 0.7, 40 / Math.sqrt(Math.max(n, 1)) + 3));
    this.ctx.save();
    this.ctx.beginPath();
    this.ctx.rect(L.left, L.top, L.width, L.height);
    this.ctx.clip();
    if (test) {
      test.X.forEach((x, i) => this.marker(sx(x[0]), sy(x[1]), r, test.y[i], { hollow: true }));
    }
    if (points) {
      points.X.forEach((x, i) => {
        const wrong = points.predictions && points.predictions[i] !== undefined
          && points.predictions[i] !== points.y[i];
        this.marker(sx(x[0]), sy(x[1]), r, points.y[i], { wrong });
      });
      const h = scene.highlight;
      if (h !== null && h !== undefined && points.X[h]) {
        this.ring(sx(points.X[h][0]), sy(points.X[h][1]), r * 2 + 4);
      }
    }
    this.ctx.restore();
  }

  /** Class 0 a circle, class 1 a square: shape tells the classes apart without colour. */
  marker(x, y, r, cls, { hollow = false, wrong = false } = {}) {
    const { ctx } = this;
    ctx.beginPath();
    if (cls === 1) ctx.rect(x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8);
    else ctx.arc(x, y, r, 0, Math.PI * 2);
    ctx.lineWidth = hollow ? Math.max(1.5, r * 0.35) : Math.max(1, r * 0.2);
    if (hollow) {
      ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
      ctx.strokeStyle = CLASS_COLOURS[cls];
    } else {
      ctx.fillStyle = CLASS_COLOURS[cls];
      ctx.strokeStyle = '#111111';
    }
    ctx.fill();
    ctx.stroke();
    if (wrong) this.cross(x, y, r);
  }

  cross(x, y, r) {
    const { ctx } = this;
    const d = r * 0.75;
    for (const [style, width] of [['#ffffff', Math.max(3, r * 0.6)], ['#111111', Math.max(1.5, r * 0.3)]]) {
      ctx.strokeStyle = style;
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.moveTo(x - d, y - d);
      ctx.lineTo(x + d, y + d);
      ctx.moveTo(x + d, y - d);
      ctx.lineTo(x - d, y + d);
      ctx.stroke();
    }
  }

  ring(x, y, radius) {
    const { ctx } = this;
    ctx.setLineDash([5, 3]);
    for (const [style, width] of [['#ffffff', 5], ['#111111', 2.5]]) {
      ctx.strokeStyle = style;
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.arc(x, y, radius, 0, Math.PI * 2);
      ctx.stroke();
    }
    ctx.setLineDash([]);
  }

  click(event) {
    if (!this.editable || !this.onAddPoint || !this.toData) return;
    const rect = this.canvas.getBoundingClientRect();
    const L = this.layout();
    const px = event.clientX - rect.left;
    const py = event.clientY - rect.top;
    if (px < L.left || px > L.left + L.width || py < L.top || py > L.top + L.height) return;
    this.onAddPoint(this.toData(px, py), event.shiftKey);
  }

  toBlob() {
    return new Promise((resolve) => this.canvas.toBlob(resolve, 'image/png'));
  }
}

/** A tick as the page's language writes it (0.25 · 0,25), with a true minus sign. */
function tickLabel(v) {
  return num(Number(v.toPrecision(4)));
}
