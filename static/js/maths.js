// The last update's arithmetic (PRODUCT.md §9), typeset with the vendored KaTeX: the rule with
// the numbers filled in. The numbers all come from the server's `last_update`.

import { backpropLines, hiddenBatchLines } from './backprop.js';
import { count, num, sampleCount, texFactor, texNum, texVec, updateOutcome, vec } from './format.js';
import { t } from './i18n.js';

/** Typeset TeX into an element; plain text if KaTeX did not load. */
export function renderTex(element, tex, display = false) {
  element.dataset.tex = tex;
  if (window.katex) {
    window.katex.render(tex, element, { displayMode: display, throwOnError: false, output: 'htmlAndMathml' });
  } else {
    element.textContent = tex;
  }
}

/** The step function under its name in the page's language (escalón, échelon), as the diagram says. */
export const STEP_TEX = `\\operatorname{\\text{${t('activation.step')}}}`;

const F_TEX = {
  step: STEP_TEX, sigmoid: '\\sigma', tanh: '\\tanh', relu: '\\operatorname{relu}', linear: 'f',
};

/** The weights before the update: the server's if it sends them, else w − Δw. */
export function weightsBefore(u) {
  if (u.w_before) return { w: u.w_before, b: u.b_before };
  return { w: u.w.map((wi, i) => wi - u.delta_w[i]), b: u.b - u.delta_b };
}

const dot = (w, x, b, useBias) => `${texVec(w)}\\cdot${texVec(x)}${useBias ? ` + ${texFactor(b)}` : ''}`;

function perceptronLines(u, useBias) {
  const old = weightsBefore(u);
  const eta = texNum(u.learning_rate);
  const lines = [
    `z = \\mathbf{w}\\cdot\\mathbf{x}${useBias ? ' + b' : ''} = ${dot(old.w, u.x, old.b, useBias)} = ${texNum(u.z)}`,
    `y = ${STEP_TEX}(z) = ${texNum(u.y)} \\quad (${u.z >= 0 ? 'z \\ge 0' : 'z < 0'})`,
    `e = d - y = ${texNum(u.d)} - ${texFactor(u.y)} = ${texNum(u.error)}`,
    `\\mathbf{w} \\leftarrow \\mathbf{w} + \\eta\\,e\\,\\mathbf{x} = ${texVec(old.w)} + ${eta}\\cdot${texFactor(u.error)}\\cdot${texVec(u.x)} = ${texVec(u.w)}`,
  ];
  lines.push(useBias
    ? `b \\leftarrow b + \\eta\\,e = ${texNum(old.b)} + ${eta}\\cdot${texFactor(u.error)} = ${texNum(u.b)}`
    : `b = 0 \\quad (\\text{${t('update.bias_off')}})`);
  return lines;
}

function gradientLines(u, config) {
  const old = weightsBefore(u);
  const eta = texNum(u.learning_rate);
  const f = F_TEX[config.activation] ?? 'f';
  const useBias = config.use_bias;
  const delta = config.loss === 'cross_entropy'
    ? `\\delta = o - t = ${texNum(u.output)} - ${texFactor(u.d)} = ${texNum(u.delta)}`
    : `\\delta = (o - t)\\,${f}'(z) = (${texNum(u.output)} - ${texFactor(u.d)})\\,${f}'(${texNum(u.z)}) = ${texNum(u.delta)}`;
  const lines = [
    `z = \\mathbf{w}\\cdot\\mathbf{x}${useBias ? ' + b' : ''} = ${dot(old.w, u.x, old.b, useBias)} = ${texNum(u.z)}`,
    `o = ${f}(z) = ${texNum(u.output)}, \\quad t = ${texNum(u.d)}`,
    delta,
    `\\mathbf{w} \\leftarrow \\mathbf{w} - \\eta\\,\\delta\\,\\mathbf{x} = ${texVec(old.w)} - ${eta}\\cdot${texFactor(u.delta)}\\cdot${texVec(u.x)} = ${texVec(u.w)}`,
  ];
  lines.push(useBias
    ? `b \\leftarrow b - \\eta\\,\\delta = ${texNum(old.b)} - ${eta}\\cdot${texFactor(u.delta)} = ${texNum(u.b)}`
    : `b = 0 \\quad (\\text{${t('update.bias_off')}})`);
  return lines;
}

function batchLines(u, config) {
  const old = weightsBefore(u);
  const eta = texNum(u.learning_rate);
  const mean = u.reduction === 'mean';
  const over = mean ? `\\frac{1}{${u.samples}}\\sum_{i=1}^{${u.samples}}` : `\\sum_{i=1}^{${u.samples}}`;
  const [w, x] = u.hidden ? ['v', 'h'] : ['w', 'x']; // a network's output neuron reads h
  const lines = [
    `\\mathbf{g}_${w} = ${over} \\delta_i\\,\\mathbf{${x}}_i = ${texVec(u.grad_w)}`,
    `\\mathbf{${w}} \\leftarrow \\mathbf{${w}} - \\eta\\,\\mathbf{g}_${w} = ${texVec(old.w)} - ${eta}\\cdot${texVec(u.grad_w)} = ${texVec(u.w)}`,
  ];
  if (config.use_bias) {
    lines.splice(1, 0, `g_b = ${over} \\delta_i = ${texNum(u.grad_b)}`);
    lines.push(`b \\leftarrow b - \\eta\\,g_b = ${texNum(old.b)} - ${eta}\\cdot${texFactor(u.grad_b)} = ${texNum(u.b)}`);
  }
  return lines;
}

function caption(u, config, epoch, n) {
  const sample = u.kind === 'batch' ? {} : { i: u.sample + 1, x: vec(u.x, 6), target: num(u.d) };
  if (u.kind === 'backprop') return t('update.backprop', sample);
  if (u.kind === 'batch' && u.hidden) return t('update.batch_hidden', { epoch: count(epoch), count: u.samples });
  if (u.kind === 'batch') {
    const delta = config.loss === 'cross_entropy' ? 'oᵢ − tᵢ' : '(oᵢ − tᵢ)·f′(zᵢ)';
    return t(u.reduction === 'mean' ? 'update.batch_mean' : 'update.batch_sum', { epoch: count(epoch), count: u.samples, delta });
  }
  const moved = (u.delta_w ?? []).some((d) => d !== 0) || (u.delta_b ?? 0) !== 0;
  const what = !moved ? updateOutcome(u) : u.kind === 'perceptron' ? t('update.by_perceptron') : t('update.by_gradient');
  return n ? t('update.sample_of', { ...sample, n, what }) : t('update.sample', { ...sample, what });
}

/** Before any update: what to press to see one, by a button this setup has. */
function placeholder(config) {
  return config.batch === 'full' ? t('update.none_full') : t('update.none_online');
}

export class UpdateView {
  constructor(element) {
    this.element = element;
    this.key = null;
  }

  /** recorded: the frame is an epoch of the history the timeline shows, which keeps no updates. */
  update(frame, recorded = false) {
    const u = frame.last_update;
    const key = u ? JSON.stringify(u) : `none ${frame.config.batch} ${recorded && frame.epoch}`;
    if (key === this.key) return;
    this.key = key;
    if (!u) {
      const p = document.createElement('p');
      p.className = 'hint';
      p.textContent = recorded ? t('update.recorded', { epoch: count(frame.epoch) }) : placeholder(frame.config);
      this.element.replaceChildren(p);
      return;
    }
    const lines = u.kind === 'perceptron' ? perceptronLines(u, frame.config.use_bias)
      : u.kind === 'gradient' ? gradientLines(u, frame.config)
        : u.kind === 'backprop' ? backpropLines(u, frame.config)
          : [...batchLines(u, frame.config), ...(u.hidden ? hiddenBatchLines(u, frame.config) : [])];
    const p = document.createElement('p');
    p.className = 'update-caption';
    p.textContent = caption(u, frame.config, frame.epoch, sampleCount(frame));
    const list = document.createElement('ol');
    list.className = 'update-lines';
    for (const tex of lines) {
      const item = document.createElement('li');
      renderTex(item, tex, false);
      list.append(item);
    }
    this.element.replaceChildren(p, list);
  }
}
