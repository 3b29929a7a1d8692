// The seven lessons (PRODUCT.md §11): each a setup and a short explanation in our own words.
// A lesson is a link, ?lesson=N; any other key in the link overrides the lesson's setup.

const GATE = { activation: 'step', rule: 'perceptron', learning_rate: 1, batch: 'online', use_bias: true, init: 'zeros' };
const SIGMOID_OR = {
  dataset: 'or', activation: 'sigmoid', rule: 'gradient', learning_rate: 0.05, batch: 'full',
  reduction: 'sum', use_bias: true, init: 'hand', init_weights: [0.1, 0.2], init_bias: 0.3,
  max_epochs: 10000, fps: 30, steps_per_frame: 10, // 300 epochs a second: a class can follow it
};

export const LESSONS = [
  {
    title: 'The perceptron learns AND',
    props: { dataset: 'and', ...GATE, fps: 2, steps_per_frame: 1 },
    text: `<p>Rosenblatt's perceptron adds its weighted inputs and a bias, <i>z</i> = <b>w</b>·<b>x</b> + <i>b</i>,
      and answers 1 when <i>z</i> ≥ 0, else 0. Each time it answers a sample wrongly, it moves every weight by
      η·<i>e</i>·<i>x</i>, where <i>e</i> = <i>d</i> − <i>y</i> is the target minus its answer; right answers change nothing.</p>
      <p>Here it starts from zero weights with η = 1. Press <b>Step sample</b> to watch one update at a time, or <b>Play</b>.
      After a few epochs it makes no more mistakes and stops at <b>w</b> = [2, 1], <i>b</i> = −3:
      only the input (1, 1) brings <i>z</i> = 2 + 1 − 3 up to the threshold 0.</p>`,
  },
  {
    title: 'OR, NAND and NOR',
    props: { dataset: 'or', ...GATE, fps: 2, steps_per_frame: 1 },
    text: `<p>The same rule learns OR, and also <a href="?lesson=2&amp;dataset=nand">NAND</a> and
      <a href="?lesson=2&amp;dataset=nor">NOR</a>: for each of them a straight line has all the 1s on one side and
      all the 0s on the other, and the perceptron is guaranteed to find such a line when one exists.</p>
      <p>Watch the boundary tilt and slide. NAND and NOR answer 1 for the input (0, 0), where every weight is
      multiplied by zero, so only a positive bias can make them fire there.</p>`,
  },
  {
    title: 'XOR cannot be learned by one neuron',
    props: { dataset: 'xor', ...GATE, fps: 10, steps_per_frame: 1 },
    text: `<p>XOR answers 1 when exactly one input is 1. Its 1s, (0, 1) and (1, 0), sit on one diagonal of the square and
      its 0s on the other. A neuron's boundary is one straight line, and no straight line separates two crossing
      diagonals: whatever the weights, at least one corner is on the wrong side.</p>
      <p>Press Play and watch the weights go round in circles: there is always a mistake to correct, so the
      perceptron never converges. Solving XOR takes a second layer of neurons, which is where networks begin.</p>`,
  },
  {
    title: 'The sigmoid neuron learns OR by gradient descent',
    props: { ...SIGMOID_OR },
    text: `<p>Replace the hard step with the smooth sigmoid σ(<i>z</i>) = 1 / (1 + e<sup>−<i>z</i></sup>) and the neuron can learn
      by gradient descent: it lowers the squared error <i>E</i> = ½ Σ (<i>o</i> − <i>t</i>)² by moving each weight against
      its gradient, δ·<i>x</i> with δ = (<i>o</i> − <i>t</i>)·σ′(<i>z</i>). As in the tutorial it starts from
      <b>w</b> = [0.1, 0.2], <i>b</i> = 0.3, sums the gradients of the four rows and takes 10,000 steps with η = 0.05.
      The outputs end near 0 for (0, 0) and near 1 for the other three.</p>
      <p class="aside">The tutorial's code hands the neuron's output, already a sigmoid, to its derivative function, so it
      computes σ′ of σ(<i>z</i>) — the sigmoid applied twice. We use the correct σ′(<i>z</i>) = σ(<i>z</i>)(1 − σ(<i>z</i>)), so our
      numbers differ a little from the tutorial's, and our neuron learns a little faster.</p>`,
  },
  {
    title: 'Why the bias matters',
    props: { ...SIGMOID_OR, use_bias: false, init_bias: 0 },
    text: `<p>The same neuron with its bias switched off. Its boundary must now pass through the origin, and for the input
      (0, 0) it computes <i>z</i> = <i>w</i>₁·0 + <i>w</i>₂·0 = 0 whatever its weights, so its output there stays exactly
      σ(0) = 0.5 however long it trains: it can never say a clear “no” to (0, 0).</p>
      <p>The bias is the weight of an extra input that is always 1. It moves the line away from the origin; compare with
      <a href="?lesson=4">the previous lesson</a>.</p>`,
  },
  {
    title: 'The symptoms table',
    props: {
      dataset: 'virus', activation: 'sigmoid', rule: 'gradient', learning_rate: 0.5, batch: 'full',
      reduction: 'mean', use_bias: true, init: 'zeros', max_epochs: 5000, fps: 60, steps_per_frame: 20,
    },
    text: `<p>Eight patients, four yes/no symptoms each: loss of smell, weight loss, runny nose and body pain, and whether
      the test for the virus came back positive. The neuron weighs the evidence, and once trained its weight bars read
      like a rule of thumb: loss of smell gets the largest weight and weight loss the smallest.</p>
      <p>With four inputs the plot shows the data in the plane of its first two principal components. The row
      [0, 0, 1, 1] appears twice, once positive and once negative, so no neuron can get all eight rows right; it settles
      on the best compromise.</p>`,
  },
  {
    title: 'Breast cancer: train and test accuracy',
    props: {
      dataset: 'breast_cancer', activation: 'sigmoid', rule: 'gradient', learning_rate: 0.5, batch: 'full',
      reduction: 'mean', use_bias: true, init: 'random', seed: 0, test_fraction: 0.3, max_epochs: 1000,
      show_test: true, fps: 30, steps_per_frame: 5,
    },
    text: `<p>569 tumours, 30 measurements of their cell nuclei each, labelled benign (class 1) or malignant (class 0). The
      neuron learns from 70% of them; the other 30%, which it never trains on, test it. The test accuracy is the one
      that tells how it would do on new patients.</p>
      <p>The plot shows the tumours in the plane of their first two principal components (PC 1 and PC 2), the two
      directions in which they differ most, with the neuron's boundary where it cuts that plane; hollow markers are
      test tumours. The tutorial reports 90.49% mean test accuracy; standardising the features first, as we do,
      usually does better.</p>`,
  },
].map((lesson, i) => ({ ...lesson, number: i + 1 }));

/** The lesson numbered n (1-based), or null. */
export function lessonByNumber(n) {
  return LESSONS[n - 1] ?? null;
}
