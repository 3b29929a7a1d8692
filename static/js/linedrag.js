// Dragging the boundary line on the plot with a mouse, pen or finger: each drag becomes `set`
// intents, at most one an animation frame and a last one on release. The geometry is drag.js;
// what is drawn is always the server's frame. Typing the weights stays the keyboard's way.

import { t } from './i18n.js';
import { grabAt, shiftLine, turnAboutOrigin, turnLine } from './drag.js';

export class LineDrag {
  /** plot: the Plot (its canvas and data↔pixel transforms); hint: the text that tells how;
   *  onSet(weights, bias) sends. */
  constructor(plot, { hint, onSet }) {
    Object.assign(this, { plot, canvas: plot.canvas, hint, onSet });
    this.target = null; // {line, weights, bias, useBias} of the frame while a drag can start
    this.drag = null; // the press in progress, with the target as it was when it began
    this.swallowClick = false;
    const on = (type, handler, options) => this.canvas.addEventListener(type, handler, options);
    on('pointerdown', (e) => this.down(e));
    on('pointermove', (e) => this.move(e));
    on('pointerup', (e) => this.up(e));
    on('pointercancel', (e) => this.up(e, { cancelled: true }));
    on('pointerleave', () => { if (!this.drag) this.setCursor(''); });
    // A finger that lands on the line must not scroll the page; anywhere else it still does.
    on('touchstart', (e) => { if (this.drag || this.grabbed(e.touches[0])) e.preventDefault(); },
      { passive: false });
    // Capture, so a press that grabbed the line does not also add a point on a custom set.
    on('click', (e) => {
      if (this.swallowClick) e.stopImmediatePropagation();
      this.swallowClick = false;
    }, true);
  }

  /** The frame's line, w, b and useBias while dragging is allowed (null: not allowed). Disallowed
   *  mid-drag (Play pressed), the drag stops sending. */
  update(target) {
    this.target = target?.line ? target : null;
    if (!target && this.drag) this.stop();
    if (!this.target && !this.drag) this.setCursor('');
    this.hint.hidden = !this.target;
    const how = target?.useBias === false ? t('drag.turn') : t('drag.move');
    if (this.hint.textContent !== how) this.hint.textContent = how;
  }

  /** The pointer on the canvas, in CSS px; during a drag, from where the canvas was when the
   *  drag began, so a status line that wraps mid-drag does not jerk the line. */
  local(event) {
    const rect = this.drag?.rect ?? this.canvas.getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  }

  /** What a press at this pointer would grab (drag.js grabAt), or null. */
  grabbed(event) {
    if (!this.target || !event || !this.plot.toPixel) return null;
    const linePx = this.target.line.map(([x, y]) => this.plot.toPixel(x, y));
    return grabAt(linePx, this.local(event));
  }

  down(event) {
    this.swallowClick = false;
    if (this.drag || (event.pointerType === 'mouse' && event.button !== 0)) return;
    const grab = this.grabbed(event);
    if (!grab) return;
    // No text selection while dragging; focus still leaves a weight field, as on any click,
    // so that the field shows the dragged value rather than the one typed.
    event.preventDefault();
    document.activeElement?.blur?.();
    this.swallowClick = true;
    this.canvas.setPointerCapture(event.pointerId);
    const { line } = this.target;
    const on = [0, 1].map((k) => line[0][k] + grab.t * (line[1][k] - line[0][k]));
    const at = this.plot.toData(...this.local(event));
    const rect = this.canvas.getBoundingClientRect();
    this.drag = { ...this.target, grab, id: event.pointerId, rect, anchor: on,
      offset: [on[0] - at[0], on[1] - at[1]], toward: this.target.weights, frame: 0 };
    this.setCursor('grabbing');
  }

  move(event) {
    const d = this.drag;
    if (!d) {
      this.setCursor(event.pointerType === 'mouse' && this.grabbed(event) ? 'grab' : '');
      return;
    }
    if (event.pointerId !== d.id) return;
    d.pending = this.local(event);
    d.moved = true;
    if (!d.frame) d.frame = requestAnimationFrame(() => { d.frame = 0; this.flush(d); });
  }

  up(event, { cancelled = false } = {}) {
    const d = this.drag;
    if (!d || event.pointerId !== d.id) return;
    if (d.moved && !cancelled) d.pending = this.local(event); // the last intent: where it let go
    this.flush(d);
    this.stop();
    this.setCursor(event.pointerType === 'mouse' && this.grabbed(event) ? 'grab' : '');
  }

  stop() {
    const d = this.drag;
    if (!d) return;
    cancelAnimationFrame(d.frame);
    if (this.canvas.hasPointerCapture(d.id)) this.canvas.releasePointerCapture(d.id);
    this.drag = null;
  }

  /** Send the intent for the latest pointer position, if it moved since the last one. */
  flush(d) {
    if (!d.pending || this.drag !== d) return;
    const [x, y] = this.plot.toData(...d.pending);
    d.pending = null;
    const point = [x + d.offset[0], y + d.offset[1]];
    let intent;
    if (!d.useBias) intent = turnAboutOrigin(d.weights, d.anchor, point);
    else if (d.grab.end === null) intent = shiftLine(d.line, d.weights, d.bias, point);
    else intent = turnLine(d.line, d.weights, d.bias, d.grab.end, point, d.toward);
    if (!intent || ![...intent.weights, intent.bias].every(Number.isFinite)) return;
    d.toward = intent.weights;
    this.onSet(intent.weights, intent.bias);
  }

  setCursor(cursor) {
    if (this.canvas.style.cursor !== cursor) this.canvas.style.cursor = cursor;
  }
}
