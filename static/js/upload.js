// Bring your own data (PRODUCT.md §15): Upload CSV (a file, or one dropped on the plot), Paste
// CSV, a preview of what the server read (the first rows, the label column, the class names)
// before a session trains on it, and Download CSV of any dataset. The server reads the file;
// the page only shows what it read and sends the choice.

import { count } from './format.js';
import { t } from './i18n.js';
import * as api from './api.js';

const $ = (id) => document.getElementById(id);
const PREVIEW_ROWS = 6;
const MAX_COPIED_POINTS = 10000;

export class Uploads {
  /** handlers: onUse(description, plotFeatures), onKnown(description),
   *  current() → the frame, data() → the session's points */
  constructor(handlers) {
    this.handlers = handlers;
    this.dialog = $('upload-dialog');
    this.text = null; // the CSV being previewed
    this.name = null;
    this.preview = null; // {description, token} of the upload shown, not yet used
    this.known = new Map(); // id → description
    this.asking = new Set();
    this.bind();
  }

  bind() {
    $('upload-file').addEventListener('change', (event) => {
      const file = event.target.files?.[0];
      event.target.value = ''; // the same file chosen again still fires
      if (file) this.openFile(file);
    });
    $('paste-open').addEventListener('click', () => this.openPaste());
    $('paste-preview').addEventListener('click', () => this.readNew($('paste-text').value, t('upload.pasted_name')));
    $('upload-label').addEventListener('change', () => this.read({ label: $('upload-label').value }));
    $('upload-positive').addEventListener('change', () => this.read(this.choices()));
    $('upload-standardize').addEventListener('change', () => this.read(this.choices()));
    $('upload-plot-x').addEventListener('change', () => this.checkPlot());
    $('upload-plot-y').addEventListener('change', () => this.checkPlot());
    $('upload-use').addEventListener('click', () => this.use());
    $('upload-cancel').addEventListener('click', () => this.dialog.close());
    this.dialog.addEventListener('close', () => this.discardPreview());
    $('download-csv').addEventListener('click', () => this.download());
    bindDrop(document.querySelector('.canvas-wrap'), (file) => this.openFile(file));
  }

  async openFile(file) {
    this.showDialog({ paste: false });
    let text;
    try {
      text = await file.text();
    } catch {
      this.showError(t('upload.unreadable'));
      return;
    }
    this.readNew(text, file.name.replace(/\.(csv|tsv|txt)$/i, '') || t('upload.uploaded_name'));
  }

  /** Other data: the reading of the data before is no answer to it, even if this one fails
   *  (only a refused choice of label or class keeps the reading it was made on). */
  async readNew(text, name) {
    await this.discardPreview();
    $('upload-preview').hidden = true;
    this.text = text;
    this.name = name;
    await this.read({});
  }

  openPaste() {
    this.showDialog({ paste: true });
    $('paste-text').focus();
  }

  showDialog({ paste }) {
    $('paste-area').hidden = !paste;
    $('upload-preview').hidden = true;
    $('upload-error').hidden = true;
    $('upload-use').disabled = true;
    if (!this.dialog.open) this.dialog.showModal();
  }

  choices() {
    return {
      label: $('upload-label').value || null,
      positive: $('upload-positive').value || null,
    };
  }

  /** Send the text with these choices; show what the server read, or where it stopped. */
  async read({ label = null, positive = null }) {
    if (!this.text) return;
    const query = { label, positive, standardize: $('upload-standardize').checked ? 1 : 0, name: this.name };
    $('upload-use').disabled = true;
    let created;
    try {
      created = await api.uploadCsv(this.text, query);
    } catch (error) {
      this.refused(t('upload.not_read', { reason: error.message }));
      return;
    }
    await this.discardPreview();
    this.preview = { description: created, token: created.delete_token };
    try {
      const data = await api.getDataset(created.id);
      this.showPreview(created, data);
    } catch (error) {
      this.showError(t('upload.not_shown', { reason: error.message }));
    }
  }

  showError(text) {
    $('upload-error').textContent = text;
    $('upload-error').hidden = false;
    $('upload-preview').hidden = true;
  }

  /** A choice the server refused leaves the reading before it in place (choices put back). */
  refused(text) {
    const before = this.preview?.description;
    if (!before) {
      this.showError(text);
      return;
    }
    $('upload-label').value = before.label_column;
    $('upload-positive').value = before.class_names[1];
    $('upload-standardize').checked = before.standardized;
    $('upload-error').textContent = `${text} ${t('upload.still_before')}`;
    $('upload-error').hidden = false;
    $('upload-use').disabled = false;
  }

  showPreview(d, data) {
    $('upload-error').hidden = true;
    const skipped = d.skipped_rows ? t('upload.skipped', { count: d.skipped_rows }) : '';
    $('upload-summary').textContent = `${t('upload.summary', { name: d.name, rows: t('upload.rows', { count: d.n_samples }),
      features: t('upload.features', { count: d.n_features }), skipped })} `
      + t('upload.classes', { label: d.label_column, class0: d.class_names[0], class1: d.class_names[1] });
    fillSelect($('upload-label'), [d.label_column, ...d.feature_names], d.label_column);
    fillSelect($('upload-positive'), [d.class_names[1], d.class_names[0]], d.class_names[1]);
    $('upload-standardize').checked = d.standardized;
    const wide = d.n_features > 2;
    $('upload-plot').hidden = !wide;
    if (wide) {
      fillSelect($('upload-plot-x'), axisOptions(d.feature_names, t('axis.pc', { n: 1 })), '');
      fillSelect($('upload-plot-y'), axisOptions(d.feature_names, t('axis.pc', { n: 2 })), '');
    }
    $('upload-rows').replaceChildren(...previewTable(d, data));
    const shown = Math.min(PREVIEW_ROWS, d.n_samples);
    $('upload-note').textContent = t('upload.first_rows', { shown: count(shown), count: d.n_samples })
      + (wide ? ` ${t('upload.wide')}` : '');
    $('upload-preview').hidden = false;
    $('upload-use').disabled = false;
    if (!this.dialog.contains(document.activeElement) || document.activeElement === $('upload-cancel')) {
      $('upload-use').focus();
    }
  }

  checkPlot() {
    const pair = this.plotFeatures();
    $('upload-use').disabled = pair === undefined;
  }

  /** [i, j] for two distinct columns, null for the principal plane, undefined while half-chosen. */
  plotFeatures() {
    if ($('upload-plot').hidden) return null;
    const x = $('upload-plot-x').value;
    const y = $('upload-plot-y').value;
    if (x === '' && y === '') return null;
    if (x === '' || y === '' || x === y) return undefined;
    return [Number(x), Number(y)];
  }

  use() {
    if (!this.preview) return;
    const { description } = this.preview;
    this.preview = null; // used now: it stays stored
    this.learn(description);
    this.handlers.onUse(description, this.plotFeatures() ?? null);
    this.dialog.close();
  }

  /** A preview that was replaced or cancelled is deleted: nothing unused is left behind. */
  async discardPreview() {
    const old = this.preview;
    this.preview = null;
    if (old) await api.deleteDataset(old.description.id, old.token).catch(() => {});
  }

  /** Make an uploaded dataset one of the dataset menu's options (found by id when a link or a
   *  frame names one the page has not seen). */
  ensureKnown(id) {
    if (!id?.startsWith('up_') || this.known.has(id) || this.asking.has(id)) return;
    this.asking.add(id);
    api.getDataset(id).then((d) => this.learn(d)).catch(() => {}).finally(() => this.asking.delete(id));
  }

  learn(description) {
    const { id, name } = description;
    this.known.set(id, description);
    const select = $('dataset');
    if (![...select.options].some((o) => o.value === id)) {
      const option = new Option(t('upload.yours', { name }), id);
      select.append(option);
    }
    this.handlers.onKnown(description);
  }

  download() {
    const frame = this.handlers.current();
    if (!frame) return;
    const { dataset } = frame.config;
    if (dataset === 'custom') { // points in the config (a script's session): as the page has them
      const data = this.handlers.data();
      if (data) saveText(pointsCsv({ X: data.X_features, y: data.y }), 'points.csv');
      return;
    }
    const a = document.createElement('a');
    a.href = api.csvUrl(dataset, frame.config);
    a.download = ''; // named by the server
    document.body.append(a);
    a.click();
    a.remove();
  }
}

/** Clicked points as an upload of their own, so the session config carries only its id. */
export async function uploadClickedPoints(points) {
  if (!points || points.y.length === 0 || points.y.length > MAX_COPIED_POINTS) return null;
  return api.uploadPoints({ X: points.X, y: points.y }, t('dataset.custom.name'));
}

function bindDrop(target, onFile) {
  if (!target) return;
  const on = (event) => {
    if (![...(event.dataTransfer?.types ?? [])].includes('Files')) return;
    event.preventDefault();
    target.classList.add('drop-target');
  };
  target.addEventListener('dragenter', on);
  target.addEventListener('dragover', on);
  target.addEventListener('dragleave', () => target.classList.remove('drop-target'));
  target.addEventListener('drop', (event) => {
    target.classList.remove('drop-target');
    const file = event.dataTransfer?.files?.[0];
    if (!file) return;
    event.preventDefault();
    onFile(file);
  });
}

/** A plot axis: a principal component (the default, both axes together) or a feature. */
export function axisOptions(names, component) {
  return [['', component], ...names.map((n, i) => [String(i), n])];
}

export function fillSelect(select, options, value) {
  select.replaceChildren(...options.map((o) => {
    const [v, text] = Array.isArray(o) ? o : [o, o];
    return new Option(text, v);
  }));
  select.value = value;
}

function previewTable(d, data) {
  const head = document.createElement('thead');
  const tr = document.createElement('tr');
  for (const name of [...d.feature_names, d.label_column]) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = name;
    if (name === d.label_column) th.className = 'label-col';
    tr.append(th);
  }
  head.append(tr);
  const body = document.createElement('tbody');
  for (let i = 0; i < Math.min(PREVIEW_ROWS, data.X.length); i += 1) {
    const row = document.createElement('tr');
    for (const v of data.X[i]) row.append(cell(String(v)));
    const label = cell(d.class_names[data.y[i]]);
    label.className = 'label-col';
    row.append(label);
    body.append(row);
  }
  return [head, body];
}

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function pointsCsv(points) {
  const width = points.X[0]?.length ?? 2;
  const header = [...Array.from({ length: width }, (_, i) => `x${i + 1}`), 'label'];
  const rows = points.X.map((x, i) => [...x, points.y[i]].join(','));
  return `${[header.join(','), ...rows].join('\r\n')}\r\n`;
}

function saveText(text, filename) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
