// The activation curve beside the neuron: f(z), and f'(z) for gradient rules, with the current
// sample's z and output (from the server's last_update) marked; for a full-batch step every
// sample's z (the server's `preactivations`) as a tick. The curve is the activation's own
// graph, drawn from its formula; nothing here computes the neuron's state.

import { sizedContext } from './canvas.js';
import { num } from './format.js';
import { WORDS } from './words.js';

const sigmoid = (z) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
export const CURVES = {
  step: { f: (z) => (z >= 0 ? 1 : 0), df: () => 0 },
  sigmoid: { f: sigmoid, df: (z) => sigmoid(z) * (1 - sigmoid(z)) },
  tanh: { f: Math.tanh, df: (z) => 1 - Math.tanh(z) ** 2 },
  relu: { f: (z) => Math.max(0, z), df: (z) => (z > 0 ? 1 : 0) },
  linear: { f: (z) => z, df: () => 1 },
};
const Z_LIMIT = 6;
const MARK = '#E69F00';

export class ActivationCurve {
  constructor(canvas, note) {
    this.canvas = canvas;
    this.note = note;
    this.key = null;
  }

  update(frame) {
    const u = frame.last_update;
    const sample = u && u.kind !== 'batch' ? { z: u.z, o: u.output } : null;
    const ticks = u?.kind === 'batch' ? frame.preactivations ?? [] : [];
    const gradient = frame.config.rule === 'gradient';
    const key = JSON.stringify([frame.config.activation, gradient, sample, ticks, this.canvas.clientWidth,
      frame.slow_phase ?? null]);
    if (key === this.key) return;
    this.key = key;
    this.draw(frame.config.activation, gradient, sample, ticks, frame.slow_phase);
    this.note.textContent = sample ? WORDS.activation.sample(num(sample.z), num(sample.o))
      : ticks.length ? WORDS.activation.batch(ticks.length) : WORDS.activation.none;
    this.canvas.setAttribute('aria-label', WORDS.activation.label(frame.config.activation, gradient));
  }

  draw(id, gradient, sample, ticks, phase) {
    const { canvas } = this;
    const sized = sizedContext(canvas);
    if (!sized) return;
    const { ctx, w, h } = sized;
    ctx.clearRect(0, 0, w, h);
    const curve = CURVES[id] ?? CURVES.linear;
    const zSpan = Math.min(50, Math.max(Z_LIMIT, Math.abs(sample?.z ?? 0) * 1.1));
    const zs = Array.from({ length: 161 }, (_, k) => -zSpan + (2 * zSpan * k) / 160);
    const ys = zs.map(curve.f);
    const lo = Math.min(0, ...ys, gradient ? 0 : 0);
    const hi = Math.max(1, ...ys);
    const pad = 8;
    const sx = (z) => pad + ((z + zSpan) / (2 * zSpan)) * (w - 2 * pad);
    const sy = (y) => h - 14 - ((y - lo) / (hi - lo || 1)) * (h - 28);
    ctx.strokeStyle = '#d4d4d0';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(pad, sy(0));
    ctx.lineTo(w - pad, sy(0));
    ctx.moveTo(sx(0), 4);
    ctx.lineTo(sx(0), h - 10);
    ctx.stroke();
    plot(ctx, zs, ys, sx, sy, '#1a1a1a', []);
    if (gradient) plot(ctx, zs, zs.map(curve.df), sx, sy, '#0b5cad', [5, 4]);
    ctx.fillStyle = '#555';
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillText('z', w - pad - 8, sy(0) - 4);
    for (const z of ticks) {
      const x = sx(Math.max(-zSpan, Math.min(zSpan, z)));
      ctx.strokeStyle = 'rgba(11, 92, 173, 0.7)';
      ctx.beginPath();
      ctx.moveTo(x, h - 12);
      ctx.lineTo(x, h - 2);
      ctx.stroke();
    }
    if (sample && phase !== 'sample') {
      const x = sx(Math.max(-zSpan, Math.min(zSpan, sample.z)));
      const y = sy(Math.max(lo, Math.min(hi, sample.o)));
      ctx.setLineDash([3, 3]);
      ctx.strokeStyle = MARK;
      ctx.beginPath();
      ctx.moveTo(x, sy(0));
      ctx.lineTo(x, y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = MARK;
      ctx.strokeStyle = '#111';
      ctx.beginPath();
      ctx.arc(x, y, 5, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
    }
  }
}

function plot(ctx, xs, ys, sx, sy, colour, dash) {
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2;
  ctx.setLineDash(dash);
  ctx.beginPath();
  xs.forEach((x, k) => (k ? ctx.lineTo(sx(x), sy(ys[k])) : ctx.moveTo(sx(x), sy(ys[k]))));
  ctx.stroke();
  ctx.setLineDash([]);
}
