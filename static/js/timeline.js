// The timeline: a range input over the recorded epochs (the history). Dragging it shows that
// epoch as the server computes it for those parameters (GET /preview), the session untouched;
// the end of the track is the live view; "Resume from here" sets that epoch's weights and bias
// through the stream (recorded in the replay log, so the export still reproduces the run).

import * as api from './api.js';
import { WORDS } from './words.js';

const HISTORY_MS = 1500; // while playing, the track catches up with the frames this often

export class Timeline {
  /** els: {range, output, resume, note}; hooks: {sessionId(), viewer(), send(msg), onView()} */
  constructor(els, hooks) {
    Object.assign(this, els, { hooks });
    this.rows = []; // recorded epochs before the live one, oldest first
    this.history = [];
    this.live = null;
    this.preview = null; // the shown epoch's state, or null for live
    this.index = 0;
    this.following = true; // at the end of the track: the live view, kept there as epochs come
    this.cache = new Map();
    this.message = null;
    this.loading = false;
    this.fetchedAt = 0;
    this.range.addEventListener('input', () => this.scrub(Number(this.range.value)));
    this.range.addEventListener('pointerdown', () => this.refreshIfStale());
    this.range.addEventListener('focus', () => this.refreshIfStale());
    this.resume.addEventListener('click', () => this.resumeHere());
  }

  get previewing() {
    return this.preview !== null;
  }

  /** The history as the server stores it (after a reset, a rest, or on request). */
  setHistory(history) {
    this.history = history;
    this.cache.clear();
    this.layout();
  }

  frameIn(frame, previous) {
    const restarted = !previous || frame.data_version !== previous.data_version || frame.step < previous.step;
    if (restarted) {
      this.preview = null;
      this.following = true;
      this.cache.clear();
    }
    this.live = frame;
    this.refreshIfBehind();
    this.layout();
  }

  /** Fetch the history when the frames have passed its last epoch: at once when paused, at
   *  most every HISTORY_MS while playing. */
  refreshIfBehind() {
    const last = this.history.length ? this.history[this.history.length - 1].epoch : -1;
    if (!this.live || this.live.epoch <= last || this.loading) return;
    if (this.live.status === 'running' && Date.now() - this.fetchedAt < HISTORY_MS) return;
    this.fetchHistory();
  }

  async fetchHistory() {
    this.loading = true;
    this.fetchedAt = Date.now();
    try {
      this.setHistory(await api.getHistory(this.hooks.sessionId()));
    } catch { /* the track keeps what it has */ } finally {
      this.loading = false;
    }
    this.refreshIfBehind();
  }

  layout() {
    const f = this.live;
    if (!f) return;
    this.rows = this.history.filter((r) => r.epoch < f.epoch);
    const max = this.rows.length;
    this.range.max = String(max);
    // Where the user put the thumb, not whether its preview has arrived yet: a history that
    // lands while a scrub's preview is on its way must not throw the thumb back to live.
    if (this.following) this.index = max;
    this.index = Math.min(this.index, max);
    this.range.value = String(this.index);
    this.show();
  }

  show() {
    const f = this.live;
    const row = this.rows[this.index];
    const shownEpoch = this.previewing && row ? row.epoch : f.epoch;
    const text = this.previewing && row ? WORDS.recorded(row.epoch, f.epoch) : WORDS.live(f.epoch);
    this.output.textContent = text;
    this.range.setAttribute('aria-valuetext', text);
    const network = Boolean(f.config.hidden_units); // an epoch of a network is more than w and b
    this.range.disabled = this.rows.length === 0 || network;
    this.resume.hidden = !this.previewing || this.hooks.viewer();
    const recorded = this.history.length;
    const total = recorded ? this.history[recorded - 1].epoch + 1 : 0;
    const notes = [];
    if (this.previewing) notes.push(WORDS.viewing(shownEpoch));
    else if (this.message) notes.push(this.message);
    if (network) notes.push(WORDS.networkTimeline);
    else if (this.rows.length === 0) notes.push(WORDS.noHistory);
    else if (recorded < total) notes.push(WORDS.thinned(recorded, total));
    this.note.textContent = notes.join(' ');
  }

  /** The history may lag the live frames while playing: fetch it when a scrub begins. */
  refreshIfStale() {
    const last = this.history.length ? this.history[this.history.length - 1].epoch : -1;
    if (this.live && last < this.live.epoch && !this.loading) this.fetchHistory();
  }

  async scrub(index) {
    this.index = index;
    this.following = index >= this.rows.length;
    this.message = null;
    const row = this.rows[index];
    if (!row) {
      this.preview = null;
      this.show();
      this.hooks.onView();
      return;
    }
    const state = this.cache.get(row.epoch) ?? await this.fetchPreview(row);
    if (!state || this.index !== index) return; // a later scrub won
    this.preview = { ...state, epoch: row.epoch, status: 'idle', _row: row };
    this.show();
    this.hooks.onView();
  }

  async fetchPreview(row) {
    try {
      const state = await api.getPreview(this.hooks.sessionId(), row.weights, row.bias);
      this.cache.set(row.epoch, state);
      return state;
    } catch {
      return null;
    }
  }

  /** Back to the live view with that epoch's parameters set by hand (through the server). */
  resumeHere() {
    const row = this.preview?._row;
    if (!row || this.hooks.viewer()) return;
    const bias = this.live?.config.use_bias ? { bias: row.bias } : {};
    if (this.live?.status === 'running') this.hooks.send({ type: 'pause' });
    this.hooks.send({ type: 'set', weights: row.weights, ...bias });
    this.preview = null;
    this.following = true;
    this.message = WORDS.resumed(row.epoch);
    this.index = this.rows.length;
    this.range.value = String(this.index);
    this.show();
    this.hooks.onView();
  }

  /** What the page draws: the previewed epoch, or the live frame. */
  shown(frame) {
    return this.preview ?? frame;
  }
}
