// Share live (the students' link and its QR code) and the downloads: the run as a script, the
// weights as JSON, the plot as PNG.

import { exportUrl, getJoinCode, qrUrl } from './api.js';
import { classNames, count, num, percent, vec } from './format.js';
import { LANG, LIST_SEPARATOR, t } from './i18n.js';

const $ = (id) => document.getElementById(id);

/** The link students open to follow a session (no token: they can only watch). */
export function studentLink(sessionId) {
  return `${location.origin}/?session=${encodeURIComponent(sessionId)}&lang=${LANG}`;
}

export function openShareDialog(sessionId, token) {
  const link = studentLink(sessionId);
  $('share-link').value = link;
  showQr(sessionId);
  showJoinCode(sessionId, token);
  $('share-copy').onclick = async () => {
    try {
      await navigator.clipboard.writeText(link);
      $('share-copy').textContent = t('share.copied');
    } catch {
      $('share-link').select();
    }
  };
  $('share-copy').textContent = t('share.copy');
  $('share-dialog').showModal();
}

/** The short code students type at /join, read large from the back row. */
async function showJoinCode(sessionId, token) {
  $('share-join-url').textContent = `${location.host}/join`;
  const code = $('share-code');
  try {
    const { code: text } = await getJoinCode(sessionId, token);
    code.textContent = text;
    code.setAttribute('aria-label', `${t('share.code_label')} ${text.split('').join(' ')}`);
  } catch {
    code.textContent = '—'; // the link and the QR code still work
  }
}

/** The server's QR code of the students' link, as an image. */
function showQr(sessionId) {
  const img = $('share-qr');
  img.onerror = () => { img.hidden = true; }; // the link itself is still there to copy
  img.src = qrUrl(sessionId, LANG);
  img.hidden = false;
}

export function bindDialogs() {
  for (const dialog of document.querySelectorAll('dialog')) {
    for (const button of dialog.querySelectorAll('[data-close]')) {
      button.addEventListener('click', () => dialog.close());
    }
    // a click on the backdrop (outside the dialog's box) closes it
    dialog.addEventListener('click', (event) => {
      if (event.target === dialog) dialog.close();
    });
  }
}

function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Every download of a run is named alike: neuron-<dataset>-epoch<N>.<ext>. */
export function downloadName(frame, ext) {
  return `neuron-${frame?.config.dataset ?? 'run'}-epoch${frame?.epoch ?? 0}.${ext}`;
}

/** getFrame() returns the latest session state; plot is the canvas Plot; getDatasets() the
 *  datasets by id (for their names). */
export function bindDownloads(getFrame, plot, getDatasets = () => ({})) {
  $('download-weights').addEventListener('click', () => {
    const frame = getFrame();
    if (!frame) return;
    const body = {
      session: frame.id, dataset: frame.config.dataset, epoch: frame.epoch,
      feature_names: frame.feature_names, weights: frame.weights, bias: frame.bias, layers: frame.layers,
      loss: frame.loss, accuracy: frame.accuracy, test_accuracy: frame.test_accuracy,
      config: frame.config,
    };
    download(new Blob([JSON.stringify(body, null, 2)], { type: 'application/json' }),
      downloadName(frame, 'json'));
  });
  $('download-png').addEventListener('click', async () => {
    const frame = getFrame();
    if (!frame) return;
    const blob = await slide(plot.canvas, frame, getDatasets()[frame.config.dataset]?.name);
    if (blob) download(blob, downloadName(frame, 'png'));
  });
  $('export').addEventListener('click', () => { $('export').download = downloadName(getFrame(), 'py'); });
}

/** The plot as a slide: the dataset's name and the epoch above it, the legend and the weights
 *  under it, on white, at the plot's own resolution. */
export function slide(canvas, frame, datasetName) {
  const scale = canvas.width / Math.max(1, canvas.clientWidth);
  const font = Math.round(16 * scale);
  const pad = Math.round(12 * scale);
  const head = font * 2 + pad;
  const foot = font * 3 + pad * 2;
  const out = document.createElement('canvas');
  out.width = canvas.width;
  out.height = canvas.height + head + foot;
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = '#111111';
  ctx.textBaseline = 'top';
  ctx.font = `600 ${font}px system-ui, sans-serif`;
  ctx.fillText(datasetName ?? frame.config.dataset, pad, pad);
  ctx.font = `${Math.round(font * 0.85)}px system-ui, sans-serif`;
  const test = frame.test_accuracy === null || frame.test_accuracy === undefined ? ''
    : ` · ${t('stats.test', { value: percent(frame.test_accuracy) })}`;
  ctx.fillText(`${t('stats.epoch', { n: count(frame.epoch) })} · ${t('slide.neuron', { activation: t(`activation.${frame.config.activation}`) })}`
    + ` · ${t('stats.accuracy', { value: percent(frame.accuracy) })}${test}`, pad, pad + font * 1.15);
  ctx.drawImage(canvas, 0, head);
  let y = head + canvas.height + pad;
  const names = classNames(frame.config.dataset) ?? [t('class.n', { k: 0 }), t('class.n', { k: 1 })];
  let x = pad;
  const r = font * 0.4;
  for (const [i, name] of names.entries()) {
    ctx.fillStyle = ['#E69F00', '#0072B2'][i];
    ctx.strokeStyle = '#111111';
    ctx.beginPath();
    if (i === 1) ctx.rect(x, y + font * 0.1, r * 2, r * 2);
    else ctx.arc(x + r, y + font * 0.1 + r, r, 0, Math.PI * 2);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = '#111111';
    ctx.fillText(name, x + r * 2 + pad / 2, y);
    x += r * 2 + pad + ctx.measureText(name).width + pad;
  }
  ctx.fillRect(x, y + font * 0.45, font * 1.2, Math.max(2, scale * 3));
  ctx.fillText(t('legend.boundary'), x + font * 1.2 + pad / 2, y);
  y += font * 1.4;
  ctx.fillText(`w = ${vec(frame.weights, 6)}${LIST_SEPARATOR}b = ${num(frame.bias)}`, pad, y);
  return new Promise((resolve) => out.toBlob(resolve, 'image/png'));
}

export function setExportLink(sessionId) {
  $('export').href = exportUrl(sessionId);
}
