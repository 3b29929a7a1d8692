// The words of the "watching and looking inside" panels (timeline, slow motion, activation
// curve, landscape, metrics), kept in one place rather than inline in each module; each says
// its catalog message (static/i18n/<lang>.json) in the page's language.

import { count, num } from './format.js';
import { t } from './i18n.js';

export const WORDS = {
  live: (epoch) => t('timeline.live', { epoch: count(epoch) }),
  recorded: (epoch, last) => t('timeline.recorded', { epoch: count(epoch), last: count(last) }),
  viewing: (epoch) => t('timeline.viewing', { epoch: count(epoch) }),
  thinned: (kept, total) => t('timeline.thinned', { kept: count(kept), total: count(total) }),
  noHistory: t('timeline.no_history'),
  networkTimeline: t('timeline.network'),
  resumed: (epoch) => t('timeline.resumed', { epoch: count(epoch) }),
  slow: {
    sample: (u, x) => t('slow.sample', { i: u.sample + 1, x, d: num(u.d) }),
    flow: (z, y) => t('slow.flow', { z, y }),
    compare: (e, d, y) => t('slow.compare', { e, d, y }),
    move: t('slow.move'),
  },
  activation: {
    label: (id, gradient) => t(gradient ? 'activation.label_slope' : 'activation.label', { name: t(`activation.${id}`) }),
    sample: (z, o) => t('activation.sample', { z, o }),
    batch: (n) => t('activation.batch', { count: n }),
    none: t('activation.none'),
  },
  landscape: {
    loss: (a, b) => t('landscape.loss', { a, b }),
    errors: (a, b) => t('landscape.errors', { a, b }),
    noBias: (low) => t('landscape.no_bias', { low }),
    range: (low, high) => t('landscape.range', { low, high }),
    aria: (a, b) => t('landscape.aria', { a, b }),
    tooFew: t('landscape.too_few'),
  },
  metrics: {
    set: (name, n) => t('metrics.set', { name, count: n }),
    train: t('metrics.train'),
    test: t('metrics.test'),
    predicted: (c) => t('metrics.predicted', { c }),
    actual: (c) => t('metrics.actual', { c }),
    scores: (p, r, f) => t('metrics.scores', { p, r, f }),
    auc: (a) => t('metrics.auc', { a }),
    undefined: t('metrics.undefined'),
    roc: t('metrics.roc'),
    fpr: t('metrics.fpr'),
    tpr: t('metrics.tpr'),
  },
};
