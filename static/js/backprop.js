// The arithmetic of one backpropagation step through the hidden layer, as TeX lines with the
// numbers of the server's `last_update` filled in: forward through the hidden neurons and the
// output, the output's error signal δ, each hidden neuron's share δⱼ, and every weight's move.

import { texFactor, texNum, texVec } from './format.js';

const G_TEX = { sigmoid: '\\sigma', tanh: '\\tanh', relu: '\\operatorname{relu}', linear: 'f' };

/** g'(zⱼ) written from the hidden output hⱼ, the way the server computes it. */
function slopeTex(activation, z, h) {
  if (activation === 'tanh') return `(1 - ${texFactor(h)}^2)`;
  if (activation === 'sigmoid') return `${texFactor(h)}\\,(1 - ${texFactor(h)})`;
  if (activation === 'relu') return `[${texNum(z)} > 0]`;
  return '1';
}

function deltaLine(u, config) {
  return config.loss === 'cross_entropy'
    ? `\\delta = o - t = ${texNum(u.output)} - ${texFactor(u.d)} = ${texNum(u.delta)}`
    : `\\delta = (o - t)\\,o\\,(1 - o) = (${texNum(u.output)} - ${texFactor(u.d)})\\cdot${texFactor(u.output)}\\,(1 - ${texFactor(u.output)}) = ${texNum(u.delta)}`;
}

/** Lines of an online backpropagation update for one sample. */
export function backpropLines(u, config) {
  const g = G_TEX[config.activation] ?? 'g';
  const eta = texNum(u.learning_rate);
  const bias = config.use_bias;
  const H = u.hidden;
  const lines = [];
  H.z.forEach((z, j) => {
    const n = j + 1;
    // Wide layers send no matrices (they would outgrow a frame): the sum is named, not spelt out.
    const terms = H.matrices ? `${texVec(H.weights_before[j])}\\cdot${texVec(u.x)}${bias ? ` + ${texFactor(H.biases_before[j])}` : ''} = ` : '';
    lines.push(`z_{${n}} = \\mathbf{W}_{${n}}\\cdot\\mathbf{x}${bias ? ` + c_{${n}}` : ''} = ${terms}${texNum(z)},\\quad h_{${n}} = ${g}(z_{${n}}) = ${texNum(H.h[j])}`);
  });
  lines.push(`z = \\mathbf{v}\\cdot\\mathbf{h}${bias ? ' + b' : ''} = ${texVec(u.w_before)}\\cdot${texVec(H.h)}`
    + `${bias ? ` + ${texFactor(u.b_before)}` : ''} = ${texNum(u.z)},\\quad o = \\sigma(z) = ${texNum(u.output)},\\quad t = ${texNum(u.d)}`);
  lines.push(deltaLine(u, config));
  lines.push(`\\mathbf{v} \\leftarrow \\mathbf{v} - \\eta\\,\\delta\\,\\mathbf{h} = ${texVec(u.w_before)} - ${eta}\\cdot${texFactor(u.delta)}\\cdot${texVec(H.h)} = ${texVec(u.w)}`);
  if (bias) lines.push(`b \\leftarrow b - \\eta\\,\\delta = ${texNum(u.b_before)} - ${eta}\\cdot${texFactor(u.delta)} = ${texNum(u.b)}`);
  H.delta.forEach((dj, j) => {
    const n = j + 1;
    lines.push(`\\delta_{${n}} = \\delta\\,v_{${n}}\\,${g}'(z_{${n}}) = ${texFactor(u.delta)}\\cdot${texFactor(u.w_before[j])}\\cdot${slopeTex(config.activation, H.z[j], H.h[j])} = ${texNum(dj)}`);
    const move = H.matrices
      ? ` = ${texVec(H.weights_before[j])} - ${eta}\\cdot${texFactor(dj)}\\cdot${texVec(u.x)} = ${texVec(H.weights[j])}`
      : '';
    lines.push(`\\mathbf{W}_{${n}} \\leftarrow \\mathbf{W}_{${n}} - \\eta\\,\\delta_{${n}}\\,\\mathbf{x}${move}`
      + (bias ? `,\\quad c_{${n}} \\leftarrow ${texNum(H.biases_before[j])} - ${eta}\\cdot${texFactor(dj)} = ${texNum(H.biases[j])}` : ''));
  });
  return lines;
}

/** The hidden layer's part of a full-batch step: its summed (or averaged) gradients. */
export function hiddenBatchLines(u, config) {
  const eta = texNum(u.learning_rate);
  const over = u.reduction === 'mean' ? `\\frac{1}{${u.samples}}\\sum_i` : '\\sum_i';
  const H = u.hidden;
  return H.biases.map((c, j) => {
    const n = j + 1;
    const move = H.matrices
      ? ` = ${texVec(H.weights_before[j])} - ${eta}\\cdot${texVec(H.grad_weights[j])} = ${texVec(H.weights[j])}` : '';
    return `\\mathbf{W}_{${n}} \\leftarrow \\mathbf{W}_{${n}} - \\eta ${over} \\delta_{${n},i}\\,\\mathbf{x}_i${move}`
      + (config.use_bias ? `,\\quad c_{${n}} \\leftarrow ${texNum(H.biases_before[j])} - ${eta}\\cdot${texFactor(H.grad_biases[j])} = ${texNum(c)}` : '');
  });
}
