// Watching training over time and looking inside (PRODUCT.md §16, §17): the trail, the
// timeline, slow motion, the activation curve, the loss landscape and the metrics, wired
// together so that main.js needs only a few calls (frameIn, setHistory, shown, decorate, draw).

import { ActivationCurve } from './activation.js';
import { LandscapePanel } from './landscape.js';
import { MetricsPanel } from './metrics.js';
import { SlowMotion } from './slowmo.js';
import { Timeline } from './timeline.js';
import { Trail } from './trail.js';

const $ = (id) => document.getElementById(id);

export class Insight {
  /** hooks: {sessionId(), viewer(), send(message), redraw()} */
  constructor(hooks) {
    this.hooks = hooks;
    this.trail = new Trail();
    this.trailToggle = $('trail');
    this.trailToggle.checked = true; // on unless turned off
    this.trailToggle.addEventListener('change', hooks.redraw);
    this.timeline = new Timeline(
      { range: $('timeline'), output: $('timeline-epoch'), resume: $('resume'), note: $('timeline-note') },
      { ...hooks, onView: hooks.redraw },
    );
    this.slow = new SlowMotion({ toggle: $('slow-motion'), caption: $('slowmo'), diagram: $('neuron-svg') },
      hooks.redraw);
    this.activation = new ActivationCurve($('activation-curve'), $('activation-note'));
    this.landscape = new LandscapePanel($('landscape'), $('landscape-note'), hooks.sessionId);
    this.metrics = new MetricsPanel({ panel: $('metrics-panel'), body: $('metrics-body'), roc: $('roc-curve') });
    this.live = null;
  }

  get previewing() {
    return this.timeline.previewing;
  }

  setPresenter(on) {
    this.slow.setPresenter(on);
  }

  frameIn(frame, previous) {
    this.live = frame;
    this.trail.push(frame, previous);
    this.timeline.frameIn(frame, previous);
    this.slow.frameIn(frame, previous);
  }

  setHistory(history) {
    this.timeline.setHistory(history);
  }

  /** The frame to draw: a previewed epoch, the frame before a slow-motion update, or the live one. */
  shown(frame) {
    return this.slow.shown(this.timeline.shown(frame));
  }

  /** The plot's scene with the trail behind the line (live view only). */
  decorate(scene) {
    const on = this.trailToggle.checked && !this.previewing && !this.slow.active;
    return { ...scene, trail: on ? this.trail.behind() : [] };
  }

  draw(frame) {
    this.activation.update(frame);
    this.landscape.update(frame, this.previewing ? null : this.live);
    this.metrics.update(frame);
  }
}
