// The embeddable view (/?embed=1): the plot and the transport controls alone, in a course page's
// iframe (the server renders it so, templates/index.html). Here: its link to the whole page.

import { toURL } from './state.js';

/** Point "Open the full playground" at this setup on the whole page: the same URL state without
 *  embed, and a viewer's session (so a student opens the class, not a run of their own). The
 *  control token never goes in it: the link opens in another tab, maybe on another page's say. */
export function showFullLink(values, { viewer, shared, sessionId }) {
  const link = document.getElementById('open-full');
  if (!link) return;
  const session = viewer || shared ? sessionId : null;
  const href = `/${toURL({ ...values, embed: false, autoplay: false, session })}`;
  if (link.getAttribute('href') !== href) link.setAttribute('href', href);
}
