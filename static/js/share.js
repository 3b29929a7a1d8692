// Share live (the students' link and its QR code) and the downloads: the run as a script, the
// weights as JSON, the plot as PNG.

import { exportUrl, qrUrl } from './api.js';

const $ = (id) => document.getElementById(id);

/** The link students open to follow a session (no token: they can only watch). */
export function studentLink(sessionId) {
  return `${location.origin}/?session=${encodeURIComponent(sessionId)}`;
}

export function openShareDialog(sessionId) {
  const link = studentLink(sessionId);
  $('share-link').value = link;
  showQr(sessionId);
  $('share-copy').onclick = async () => {
    try {
      await navigator.clipboard.writeText(link);
      $('share-copy').textContent = 'Copied';
    } catch {
      $('share-link').select();
    }
  };
  $('share-copy').textContent = 'Copy link';
  $('share-dialog').showModal();
}

/** The server's QR code of the students' link, as an image. */
function showQr(sessionId) {
  const img = $('share-qr');
  img.onerror = () => { img.hidden = true; }; // the link itself is still there to copy
  img.src = qrUrl(sessionId);
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

/** getFrame() returns the latest session state; plot is the canvas Plot. */
export function bindDownloads(getFrame, plot) {
  $('download-weights').addEventListener('click', () => {
    const frame = getFrame();
    if (!frame) return;
    const body = {
      session: frame.id, dataset: frame.config.dataset, epoch: frame.epoch,
      feature_names: frame.feature_names, weights: frame.weights, bias: frame.bias,
      loss: frame.loss, accuracy: frame.accuracy, test_accuracy: frame.test_accuracy,
      config: frame.config,
    };
    download(new Blob([JSON.stringify(body, null, 2)], { type: 'application/json' }),
      `neuron-${frame.config.dataset}-epoch${frame.epoch}.json`);
  });
  $('download-png').addEventListener('click', async () => {
    const frame = getFrame();
    const blob = await plot.toBlob();
    if (blob) download(blob, `neuron-${frame?.config.dataset ?? 'plot'}.png`);
  });
}

export function setExportLink(sessionId) {
  $('export').href = exportUrl(sessionId);
}
