// The setup form and the transport buttons: show the session's values, and turn every change
// into an intent at once (while playing too).

import { LANG, t } from './i18n.js';
import { GATES, SYNTHETIC, parseValue } from './state.js';

// Form controls that are config fields, by element id (= config field name).
const CONFIG_FIELDS = ['dataset', 'hidden_units', 'activation', 'rule', 'learning_rate', 'use_bias', 'init', 'seed',
  'noise', 'n_samples', 'test_fraction', 'batch', 'reduction', 'loss', 'shuffle', 'max_epochs'];
// Controls that only change how the page looks.
const VIEW_FIELDS = ['show_test', 'discretise', 'wrong_first'];
const BUTTONS = { play: 'playPause', step: 'step', 'step-sample': 'stepSample', reset: 'reset',
  regenerate: 'regenerate', 'clear-points': 'clearPoints' };

const $ = (id) => document.getElementById(id);

/** What a number field allows, in the page's words (the browser's own message is in the
 *  browser's language, not the page's). */
function rangeOf(input) {
  const { min, max } = input;
  const fmt = (v) => Number(v).toLocaleString(LANG, { useGrouping: false, maximumFractionDigits: 10 });
  if (input.validity.stepMismatch) return t('error.whole_number');
  if (min !== '' && max !== '') return t('error.between', { min: fmt(min), max: fmt(max) });
  return t('error.not_a_number');
}

/** Say beside a number field why its value was refused (null: take the words away). The words
 *  stay after the field shows the session's value again, until the field is edited. */
function sayProblem(input, message) {
  const problem = $(`${input.id}-problem`);
  if (!problem) return;
  problem.textContent = message ?? '';
  problem.hidden = message === null;
}

export class Controls {
  /** handlers: onConfig(patch), onView(name, value), onSpeed(fps, stepsPerFrame), onAction(name) */
  constructor(handlers) {
    this.handlers = handlers;
    this.fields = Object.fromEntries([...CONFIG_FIELDS, ...VIEW_FIELDS].map((id) => [id, $(id)]));
    this.speed = $('speed');
    this.playButton = $('play');
    $('setup').addEventListener('submit', (event) => event.preventDefault());
    for (const id of CONFIG_FIELDS) this.fields[id].addEventListener('change', () => this.configChanged(id));
    for (const id of CONFIG_FIELDS) this.fields[id].addEventListener('input', () => sayProblem(this.fields[id], null));
    for (const id of VIEW_FIELDS) {
      this.fields[id].addEventListener('change', () => handlers.onView(id, this.fields[id].checked));
    }
    this.speed.addEventListener('change', () => {
      const [fps, spf] = this.speed.value.split(':').map(Number);
      handlers.onSpeed(fps, spf);
    });
    for (const [id, action] of Object.entries(BUTTONS)) {
      $(id).addEventListener('click', () => handlers.onAction(action));
    }
  }

  configChanged(id) {
    const input = this.fields[id];
    let value;
    if (input.type === 'checkbox') value = input.checked;
    else if (id === 'max_epochs' && input.value.trim() === '') value = null;
    else value = parseValue(id, input.value);
    if (value === undefined || (input.type === 'number' && !input.checkValidity())) {
      const name = input.labels[0]?.textContent.trim() || id;
      const message = t('error.invalid_field', { field: name, why: rangeOf(input) });
      input.setAttribute('aria-invalid', 'true');
      sayProblem(input, message);
      this.handlers.onInvalid(message);
      return;
    }
    input.removeAttribute('aria-invalid');
    sayProblem(input, null);
    if (id === 'init' && value === 'hand') return; // "as given" comes only from a link or a lesson
    const patch = { [id]: value };
    // A hidden layer learns by backpropagation: a step neuron becomes a sigmoid one with it.
    if (id === 'hidden_units' && value > 0 && this.values?.activation === 'step') patch.activation = 'sigmoid';
    this.handlers.onConfig(patch);
  }

  /** Show the current values; a field the user is typing in is left alone. */
  show(values, frame) {
    this.values = values;
    for (const [id, input] of Object.entries(this.fields)) {
      if (document.activeElement === input && input.type !== 'checkbox') continue;
      const value = values[id];
      if (input.type === 'checkbox') input.checked = Boolean(value);
      else input.value = value === null || value === undefined ? '' : String(value);
      input.removeAttribute('aria-invalid');
    }
    const hand = this.fields.init.querySelector('option[value="hand"]');
    hand.disabled = values.init !== 'hand';
    hand.hidden = values.init !== 'hand';
    const speed = `${values.fps}:${values.steps_per_frame}`;
    if ([...this.speed.options].some((o) => o.value === speed)) this.speed.value = speed;
    this.showRelevant(values);
    const running = frame?.status === 'running';
    this.playButton.textContent = running ? t('transport.pause') : t('transport.play');
    this.playButton.setAttribute('aria-pressed', String(running));
  }

  /** Hide what does not apply to this setup, so that every visible control does something. */
  showRelevant(values) {
    const gate = GATES.includes(values.dataset);
    $('synthetic').hidden = !SYNTHETIC.includes(values.dataset);
    $('field-test_fraction').hidden = gate;
    $('field-show_test').hidden = gate;
    $('custom-tools').hidden = values.dataset !== 'custom';
    $('field-reduction').hidden = values.batch !== 'full';
    const network = Boolean(values.hidden_units);
    $('field-loss').hidden = (values.activation !== 'sigmoid' && !network) || values.rule !== 'gradient';
    // The step activation and the perceptron rule cannot train a hidden layer: not offered with one.
    for (const option of document.querySelectorAll('#activation option[value="step"], #rule option[value="perceptron"]')) {
      option.disabled = network;
    }
    $('field-batch').hidden = values.rule === 'perceptron';
    // Full-batch training updates once per epoch, from every sample: there is no one sample to step.
    $('step-sample').hidden = values.batch === 'full';
  }

  /** Viewers follow: every control that steers the session is disabled, and hidden (html.viewer). */
  setViewer(viewer) {
    this.viewer = viewer;
    document.documentElement.classList.toggle('viewer', viewer);
    for (const element of document.querySelectorAll('[data-steer]')) element.disabled = viewer;
  }
}
