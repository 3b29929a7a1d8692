// Slow motion for a sample step: the sample lights up, its inputs flow along the weights to z
// and the output, the error is compared with the target, then the weights and the line move.
// About a second in all; any key skips it; instant under prefers-reduced-motion.

import { num, vec } from './format.js';
import { WORDS } from './words.js';

const PHASES = ['sample', 'flow', 'compare'];
const PHASE_MS = 330;

const reducedMotion = () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;

export class SlowMotion {
  /** els: {toggle, caption, diagram}; onChange(): redraw */
  constructor({ toggle, caption, diagram }, onChange) {
    Object.assign(this, { toggle, caption, diagram, onChange });
    this.held = null;
    this.timer = null;
    this.touched = false;
    toggle.addEventListener('change', () => { this.touched = true; if (!toggle.checked) this.finish(); });
    document.addEventListener('keydown', () => this.finish(), true);
  }

  /** On by default in presenter mode, unless the user chose otherwise. */
  setPresenter(on) {
    if (!this.touched) this.toggle.checked = on;
  }

  get active() {
    return this.held !== null;
  }

  /** A new frame: play it slowly if it is one sample's update after a paused frame. */
  frameIn(frame, previous) {
    // The same state again with its outputs filled in (a large set): the motion plays on.
    if (this.held && previous && frame.step === previous.step && frame.data_version === previous.data_version) return;
    this.finish();
    const u = frame.last_update;
    const oneSample = previous && frame.step === previous.step + 1 && u && u.kind !== 'batch'
      && frame.data_version === previous.data_version && frame.status !== 'running'
      && previous.status !== 'running';
    if (!oneSample || !this.toggle.checked || reducedMotion()) return;
    this.held = { previous, update: u, phase: 0 };
    this.render();
    this.timer = setInterval(() => this.advance(), PHASE_MS);
  }

  advance() {
    if (!this.held) return;
    this.held.phase += 1;
    if (this.held.phase >= PHASES.length) this.finish();
    else this.render();
  }

  finish() {
    clearInterval(this.timer);
    this.timer = null;
    if (!this.held) return;
    this.held = null;
    this.render();
  }

  render() {
    const phase = this.held ? PHASES[this.held.phase] : null;
    this.caption.hidden = !phase;
    this.caption.dataset.phase = phase ?? '';
    this.diagram.classList.toggle('flowing', phase === 'flow');
    if (phase) this.caption.textContent = captionFor(phase, this.held.update);
    this.onChange();
  }

  /** While playing: the frame before the update, lit by the update's sample; else the frame. */
  shown(frame) {
    if (!this.held) return frame;
    return { ...this.held.previous, last_update: this.held.update, slow_phase: PHASES[this.held.phase] };
  }
}

function captionFor(phase, u) {
  const output = u.kind === 'perceptron' ? u.y : num(u.output);
  if (phase === 'sample') return WORDS.slow.sample(u, vec(u.x, 6));
  if (phase === 'flow') return WORDS.slow.flow(num(u.z), output);
  return `${WORDS.slow.compare(num(u.error), num(u.d), output)} ${WORDS.slow.move}`;
}
