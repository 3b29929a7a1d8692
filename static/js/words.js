// The words of the "watching and looking inside" panels (timeline, slow motion, activation
// curve, landscape, metrics), kept in one place rather than inline in each module.

export const WORDS = {
  live: (epoch) => `live · epoch ${epoch}`,
  recorded: (epoch, last) => `epoch ${epoch} of ${last} (recorded)`,
  viewing: (epoch) => `Showing epoch ${epoch} as recorded; the session is unchanged. `
    + 'Drag to the end of the track for the live view.',
  thinned: (kept, total) => `History thinned: ${kept} of ${total} epochs are recorded (older ones `
    + 'more sparsely), and the timeline steps through the recorded ones.',
  noHistory: 'Train a little: every finished epoch is recorded here.',
  networkTimeline: 'The timeline replays a single neuron; with a hidden layer the curves show the epochs.',
  resumed: (epoch) => `Resumed from epoch ${epoch}'s weights and bias: Play or Step trains on from there.`,
  slow: {
    sample: (u, x) => `Sample ${u.sample + 1}: x = ${x}, target d = ${u.d}`,
    flow: (z, y) => `Its inputs flow along the weights: z = w·x + b = ${z}, output ${y}`,
    compare: (e, d, y) => `Compared with the target: error ${e} (d = ${d}, output ${y})`,
    move: 'Then the weights and the line move.',
  },
  activation: {
    label: (id, gradient) => `The activation ${id}: f(z)${gradient ? ' and its slope f′(z) (dashed)' : ''}, `
      + 'with the current sample marked',
    sample: (z, o) => `This sample: z = ${z}, output f(z) = ${o}.`,
    batch: (n) => `Full batch: each tick under the curve is one of the ${n} samples' z.`,
    none: 'Step a sample to see where its z lands on the curve.',
  },
  landscape: {
    loss: (a, b) => `Loss over ${a} and ${b}, every other parameter held at its current value: `
      + 'darker is lower. The line is the path training took; the orange dot is now.',
    errors: (a, b) => `Misclassified training samples over ${a} and ${b}, the bias held at its `
      + 'current value: darker is fewer. The line is the path the perceptron took; the orange dot is now.',
    noBias: (low) => `Without a bias, b stays 0, so the boundary w·x = 0 always passes through the origin `
      + `(the sample (0, 0) always sits on it): nowhere on this plane does the loss go below ${low}.`,
    range: (low, high) => `lowest ${low}, highest ${high}`,
    aria: (a, b) => `Loss landscape over ${a} and ${b} with the training path`,
    tooFew: 'The landscape needs at least two weights.',
  },
  metrics: {
    set: (name, n) => `${name} (${n} samples)`,
    train: 'Training set',
    test: 'Test set',
    predicted: (c) => `predicted ${c}`,
    actual: (c) => `actual ${c}`,
    scores: (p, r, f) => `precision ${p} · recall ${r} · F1 ${f}`,
    auc: (a) => `ROC AUC ${a}`,
    undefined: 'n/a',
    roc: 'ROC curve: true-positive rate against false-positive rate; the diagonal is guessing',
  },
};
