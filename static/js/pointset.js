// The points a user places on the plot, kept on the server as an uploaded dataset of their own
// (PRODUCT.md §15): the session's config then names its id instead of repeating the points, and
// Clear points deletes them there too. The page still calls this set "custom" (and keeps it in
// the link as pts=), so a link opens the same points anywhere.

import { t } from './i18n.js';
import * as api from './api.js';

export class PointSet {
  /** onUploaded(id): a new upload holds the current points; onError(message) */
  constructor({ onUploaded, onError }) {
    Object.assign(this, { onUploaded, onError });
    this.points = null; // {X, y} as placed
    this.upload = null; // {id, token} of the upload holding them
    this.ids = new Set(); // every upload made for them (a frame may still name an older one)
    this.version = 0;
    this.chain = Promise.resolve();
  }

  /** Whether a session's dataset is these points. */
  owns(datasetId) {
    return this.ids.has(datasetId);
  }

  /** Hold these points: upload them (in order, the newest winning) and replace the old upload. */
  set(points) {
    this.points = points;
    const version = ++this.version;
    this.chain = this.chain.then(async () => {
      if (version !== this.version) return; // newer points follow
      const id = await this.store(points);
      if (id && version === this.version) this.onUploaded(id);
    }).catch((error) => this.onError(t('error.points', { reason: error.message })));
    return this.chain;
  }

  /** Upload the points now; the id, once the old upload is replaced. */
  async store(points) {
    if (!points || points.y.length === 0) return null;
    const created = await api.uploadPoints({ X: points.X, y: points.y }, t('dataset.custom.name'));
    const old = this.upload;
    this.upload = { id: created.id, token: created.delete_token };
    this.ids.add(created.id);
    if (old) this.remove(old);
    return created.id;
  }

  /** Clear points for real: nothing of them is left on the server or in the link. */
  clear() {
    this.version += 1;
    this.points = { X: [], y: [] };
    if (this.upload) this.remove(this.upload);
    this.upload = null;
  }

  /** The session moved to another dataset: the points' upload is no longer needed. */
  leave() {
    this.version += 1;
    this.ids.clear();
    if (this.upload) this.remove(this.upload);
    this.upload = null;
    this.points = null;
  }

  remove({ id, token }) {
    api.deleteDataset(id, token).catch(() => {});
  }
}
