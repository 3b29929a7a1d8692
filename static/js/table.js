// The truth table (gates) or a bounded sample table: inputs, target, output, prediction, and the
// sample of the last update highlighted.

import { t } from './i18n.js';
import { axisNames } from './canvas.js';
import { GATES } from './state.js';
import { classCell, className, count, onlineSample, short, translatedClasses, translatedFeatures } from './format.js';

const MAX_ROWS = 12;

export class SampleTable {
  constructor(table, title, note) {
    Object.assign(this, { table, title, note });
    this.key = null;
  }

  /** frame: the session state; data: the session's points; features: rows in feature space or
   *  null; wrongFirst: the misclassified rows on top. */
  update(frame, data, features, wrongFirst = false) {
    if (!data) return;
    const n = data.y.length;
    const highlight = onlineSample(frame);
    const wrong = frame.predictions.flatMap((p, i) => (p !== data.y[i] ? [i] : []));
    const rows = wrongFirst ? pickWrongFirst(n, wrong, highlight) : pickRows(n, highlight);
    const key = JSON.stringify([rows, rows.map((i) => frame.outputs[i]), highlight, frame.data_version,
      features ? features.length : 0, wrongFirst]);
    if (key === this.key) return;
    this.key = key;
    const gate = GATES.includes(frame.config.dataset);
    this.title.textContent = gate ? t('table.truth') : t('table.training');
    const names = columnNames(frame, data, features);
    const head = ['#', ...names, t('table.target'), t('table.output'), t('table.predicted')];
    const named = (cls) => (data.class_names ? classCell(translatedClasses(frame.config.dataset, data.class_names), cls)
      : className(frame.config.dataset, cls));
    const thead = document.createElement('thead');
    thead.append(row(head.map((h) => cell('th', h, { scope: 'col' }))));
    const tbody = document.createElement('tbody');
    let previous = -1;
    for (const i of rows) {
      if (!wrongFirst && i !== previous + 1) tbody.append(gapRow(head.length));
      previous = i;
      const inputs = (features ? features[i] : data.X[i]) ?? [];
      const predicted = frame.predictions[i];
      const right = predicted === data.y[i];
      const tr = row([
        cell('th', String(i + 1), { scope: 'row' }),
        ...inputs.slice(0, names.length).map((v) => cell('td', short(v))),
        cell('td', named(data.y[i])),
        cell('td', short(frame.outputs[i])),
        predicted === undefined ? cell('td', '—')
          : cell('td', `${right ? '✓' : '✗'} ${named(predicted)}`, {
            class: right ? 'ok' : 'bad', 'aria-label': `${named(predicted)}, ${right ? t('table.right') : t('table.wrong')}` }),
      ]);
      if (i === highlight) {
        tr.className = 'current';
        tr.setAttribute('aria-current', 'true');
      }
      tbody.append(tr);
    }
    this.table.replaceChildren(thead, tbody);
    const shown = rows.length < n ? `${t('table.showing', { shown: count(rows.length), count: n })} ` : '';
    const where = features || names[0] !== t('axis.pc', { n: 1 }) ? '' : `${t('table.plane')} `;
    this.note.textContent = `${shown}${where}${wrong.length === 0 ? t('table.all_right') : t('table.misclassified', { count: wrong.length })}`;
  }
}

function pickRows(n, highlight) {
  const rows = Array.from({ length: Math.min(n, MAX_ROWS) }, (_, i) => i);
  if (highlight !== null && highlight >= rows.length && highlight < n) {
    rows.pop();
    rows.push(highlight);
  }
  return rows;
}

/** The misclassified rows first (in order), then the others, as many as fit; the sample of the
 *  last update stays in. */
function pickWrongFirst(n, wrong, highlight) {
  const isWrong = new Set(wrong);
  const right = Array.from({ length: n }, (_, i) => i).filter((i) => !isWrong.has(i));
  const rows = [...wrong, ...right].slice(0, MAX_ROWS);
  if (highlight !== null && highlight < n && !rows.includes(highlight)) rows[rows.length - 1] = highlight;
  return rows;
}

function columnNames(frame, data, features) {
  const width = features ? features[0]?.length ?? 0 : data.X[0]?.length ?? 0;
  if (!features && frame.weights.length > 2) return axisNames(frame, []);
  if (width > 6) return [];
  const names = data.feature_names?.length === width ? translatedFeatures(frame.config.dataset, data.feature_names) : null;
  return Array.from({ length: width }, (_, i) => names?.[i] ?? `x${i + 1}`);
}

function row(cells) {
  const tr = document.createElement('tr');
  tr.append(...cells);
  return tr;
}

function cell(tag, text, attrs = {}) {
  const c = document.createElement(tag);
  c.textContent = text;
  for (const [k, v] of Object.entries(attrs)) c.setAttribute(k, v);
  return c;
}

function gapRow(span) {
  const td = cell('td', '…', { colspan: String(span), class: 'gap' });
  return row([td]);
}
