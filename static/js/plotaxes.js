// Past two features, which two the plot shows: two chosen columns, or the principal plane
// (PRODUCT.md §5, §15). The server draws either; this only shows the choice and sends it.

import { t } from './i18n.js';
import { axisOptions, fillSelect } from './upload.js';

const $ = (id) => document.getElementById(id);

export class PlotAxes {
  /** onPlot([i, j]) for two columns, onPlot(null) for the principal plane */
  constructor(onPlot) {
    this.onPlot = onPlot;
    this.key = null;
    for (const id of ['plot-x', 'plot-y']) $(id).addEventListener('change', () => this.changed());
  }

  show(frame) {
    const names = frame.feature_names ?? [];
    const wide = names.length > 2;
    $('plot-axes').hidden = !wide;
    if (!wide) return;
    const key = JSON.stringify(names);
    if (key !== this.key) {
      fillSelect($('plot-x'), axisOptions(names, t('axis.pc', { n: 1 })), '');
      fillSelect($('plot-y'), axisOptions(names, t('axis.pc', { n: 2 })), '');
      this.key = key;
    }
    const pair = frame.config.plot_features;
    for (const [k, id] of [[0, 'plot-x'], [1, 'plot-y']]) {
      if (document.activeElement !== $(id)) $(id).value = pair ? String(pair[k]) : '';
    }
  }

  changed() {
    const x = $('plot-x').value;
    const y = $('plot-y').value;
    if (x === '' && y === '') this.onPlot(null); // both back on the principal plane
    else if (x !== '' && y !== '' && x !== y) this.onPlot([Number(x), Number(y)]);
  }
}
