// The 2-H-1 network drawn: inputs → hidden neurons → output neuron, each connection's width and
// colour its weight with the number beside it; every weight and bias editable while paused; and,
// with two hidden neurons, the data where the hidden layer puts it (h1, h2). All from the frame.

import { t } from './i18n.js';
import { featureNames, num, shorten } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
const POSITIVE = '#0072B2';
const NEGATIVE = '#D55E00';
export const HIDDEN_COLOURS = ['#7a3e9d', '#2a7f62', '#b5651d', '#1f5aa6', '#a63d40', '#5c6b00', '#00727a', '#6b4f2a'];

function el(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== null) node.textContent = text;
  return node;
}

/** Every weight of a frame's network as editable entries: [layer, row, column|'bias', label]. */
export function networkEntries(frame, names) {
  const [hidden] = frame.layers;
  const entries = [];
  hidden.weights.forEach((row, j) => {
    row.forEach((_, i) => entries.push([0, j, i, `w${j + 1}${i + 1}: ${names[i]} → h${j + 1}`]));
    entries.push([0, j, 'bias', `c${j + 1}: ${t('network.hidden_bias', { j: j + 1 })}`]);
  });
  hidden.weights.forEach((_, j) => entries.push([1, 0, j, `v${j + 1}: h${j + 1} → ${t('network.output')}`]));
  entries.push([1, 0, 'bias', `b: ${t('network.output_bias')}`]);
  return entries;
}

/** The layers with one value replaced (a deep copy; the frame's own layers stay as they are). */
export function withValue(layers, [layer, row, column], value) {
  const copy = layers.map((l) => ({ weights: l.weights.map((r) => [...r]), biases: [...l.biases] }));
  if (column === 'bias') copy[layer].biases[row] = value;
  else copy[layer].weights[row][column] = value;
  return copy;
}

function valueAt(layers, [layer, row, column]) {
  return column === 'bias' ? layers[layer].biases[row] : layers[layer].weights[row][column];
}

export class NetworkView {
  constructor({ panel, svg, weights, space, hint }, { onSetLayers }) {
    Object.assign(this, { panel, svg, weightsBox: weights, space, hint, onSetLayers });
    this.rowsKey = null;
    this.inputs = [];
    this.sent = null;
  }

  /** Shown only for a network; returns whether it is. */
  update(frame, { editable }) {
    const on = Boolean(frame.config.hidden_units) && frame.layers?.length === 2;
    this.panel.hidden = !on;
    if (!on) return false;
    this.frame = frame;
    const names = featureNames(frame);
    this.drawDiagram(frame, names);
    this.drawRows(frame, names, editable);
    this.drawSpace(frame);
    return true;
  }

  drawDiagram(frame, names) {
    const svg = this.svg;
    svg.replaceChildren();
    const [hidden, out] = frame.layers;
    const units = hidden.biases.length;
    const nIn = Math.min(names.length, 6);
    const gap = Math.max(nIn, units) <= 3 ? 80 : 50;
    const height = (Math.max(nIn, units) - 1) * gap + 76;
    svg.setAttribute('viewBox', `0 0 420 ${height}`);
    const yAt = (k, n) => height / 2 - ((n - 1) * gap) / 2 + k * gap;
    const xIn = 40;
    const xHid = 220;
    const xOut = 380;
    const all = [...hidden.weights.flat(), ...out.weights[0]].map(Math.abs);
    const scale = Math.max(1e-9, ...all);
    const u = frame.last_update;
    const link = (x1, y1, x2, y2, weight, label, at) => {
      const width = 1 + 7 * Math.min(1, Math.abs(weight) / scale);
      const colour = weight > 0 ? POSITIVE : weight < 0 ? NEGATIVE : '#888888';
      svg.append(el('line', { x1, y1, x2, y2, stroke: colour, 'stroke-width': width, class: 'link' }));
      const mx = x1 + (x2 - x1) * at;
      const my = y1 + (y2 - y1) * at;
      svg.append(el('text', { x: mx, y: my - 5, class: 'weight-label' }, label));
    };
    hidden.weights.forEach((row, j) => {
      row.slice(0, nIn).forEach((w, i) => {
        // Lines that cross meet half-way: their numbers sit near the input, the others' further on.
        const at = i === j ? 0.62 : 0.22;
        link(xIn + 14, yAt(i, nIn), xHid - 18, yAt(j, units), w, num(w), at);
      });
    });
    out.weights[0].forEach((v, j) => link(xHid + 18, yAt(j, units), xOut - 16, height / 2, v, num(v), 0.5));
    names.slice(0, nIn).forEach((name, i) => {
      svg.append(el('circle', { cx: xIn, cy: yAt(i, nIn), r: 14, class: 'node' }));
      svg.append(el('text', { x: xIn, y: yAt(i, nIn) + 4, class: 'node-value' }, u?.x ? num(u.x[i]) : `x${i + 1}`));
      // A sample's value fills the node: its input's name goes above it, so the two stay apart.
      if (u?.x) svg.append(el('text', { x: xIn, y: yAt(i, nIn) - 19, class: 'node-note' }, shorten(name, 10)));
    });
    hidden.biases.forEach((c, j) => {
      const y = yAt(j, units);
      svg.append(el('circle', { cx: xHid, cy: y, r: 18, class: 'node hidden-node', stroke: HIDDEN_COLOURS[j % 8] }));
      svg.append(el('text', { x: xHid, y: y + 5, class: 'sum-label small' }, `h${j + 1}`));
      svg.append(el('text', { x: xHid, y: y - 24, class: 'node-note' }, `c=${num(c)}`));
    });
    svg.append(el('circle', { cx: xOut, cy: height / 2, r: 16, class: 'node out' }));
    svg.append(el('text', { x: xOut, y: height / 2 + 5, class: 'sum-label small' }, 'σ'));
    svg.append(el('text', { x: xOut, y: height / 2 + 34, class: 'node-note' }, `b=${num(out.biases[0])}`));
    svg.setAttribute('aria-label', t('network.label', { inputs: names.length, count: units,
      activation: t(`activation.${frame.config.activation}`) }));
  }

  drawRows(frame, names, editable) {
    const entries = networkEntries(frame, names);
    const key = entries.map((e) => e[3]).join('|');
    if (key !== this.rowsKey) this.buildRows(entries, key);
    this.inputs.forEach((input, k) => {
      const v = valueAt(frame.layers, this.entries[k]);
      if (document.activeElement !== input) input.value = String(Number(v.toPrecision(4)));
      input.disabled = !editable || (this.entries[k][2] === 'bias' && !frame.config.use_bias);
    });
    this.hint.textContent = editable
      ? t('network.type_hint')
      : (frame.status === 'running' ? t('network.pause_hint') : '');
  }

  buildRows(entries, key) {
    this.rowsKey = key;
    this.entries = entries;
    this.weightsBox.replaceChildren();
    this.inputs = entries.map((entry, k) => {
      const row = document.createElement('div');
      row.className = 'net-weight';
      const id = `net-weight-${k}`;
      const label = document.createElement('label');
      label.htmlFor = id;
      label.textContent = entry[3];
      const input = document.createElement('input');
      Object.assign(input, { id, type: 'number', step: 'any' });
      input.dataset.steer = '';
      input.addEventListener('change', () => this.commit(k));
      row.append(label, input);
      this.weightsBox.append(row);
      return input;
    });
  }

  /** Send every layer with the one value typed (as in the neuron's rows: built on what was just
   *  sent when its frame may not be back yet). */
  commit(k) {
    const typed = Number(this.inputs[k].value);
    if (this.inputs[k].value.trim() === '' || !Number.isFinite(typed) || !this.frame) return;
    const recent = this.sent && performance.now() - this.sent.at < 1000 ? this.sent.layers : this.frame.layers;
    const layers = withValue(recent, this.entries[k], typed);
    this.sent = { layers, at: performance.now() };
    this.onSetLayers(layers);
  }

  /** The training points at (h1, h2) with the output neuron's line there. */
  drawSpace(frame) {
    const space = frame.boundary.hidden_space;
    this.space.closest('figure').hidden = !space; // an <svg> has no `hidden` of its own
    if (!space) return;
    const svg = this.space;
    svg.replaceChildren();
    const size = 200;
    const pad = 24;
    const [x0, x1, y0, y1] = space.view;
    const sx = (x) => pad + ((x - x0) / (x1 - x0)) * (size - 2 * pad);
    const sy = (y) => size - pad - ((y - y0) / (y1 - y0)) * (size - 2 * pad);
    svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
    svg.append(el('rect', { x: pad, y: pad, width: size - 2 * pad, height: size - 2 * pad, class: 'space-box' }));
    svg.append(el('text', { x: size / 2, y: size - 4, class: 'axis-label' }, 'h1'));
    svg.append(el('text', { x: 8, y: size / 2, class: 'axis-label' }, 'h2'));
    if (space.line) {
      const [[ax, ay], [bx, by]] = space.line;
      svg.append(el('line', { x1: sx(ax), y1: sy(ay), x2: sx(bx), y2: sy(by), class: 'space-line' }));
    }
    const y = frame.predictions && this.dataY ? this.dataY : null;
    space.points.forEach(([h1, h2], i) => {
      const cls = y ? (y[i] === 1 ? 'pt1' : 'pt0') : 'pt0';
      if (y && y[i] === 1) {
        svg.append(el('rect', { x: sx(h1) - 6, y: sy(h2) - 6, width: 12, height: 12, class: cls }));
      } else {
        svg.append(el('circle', { cx: sx(h1), cy: sy(h2), r: 6, class: cls }));
      }
    });
    const right = frame.predictions.filter((p, i) => !y || p === y[i]).length;
    svg.setAttribute('aria-label', y ? t('network.space_label_right', { count: space.points.length, right })
      : t('network.space_label', { count: space.points.length }));
  }

  /** The training labels, once the session's data has loaded (frames never carry points). */
  setLabels(y) {
    this.dataY = y;
  }
}
