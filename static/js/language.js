// The language switch: the choice is saved in the `lang` cookie (the server reads it to render
// the page, <html lang> included, in that language) and the page opens again in it, with the
// same setup (the URL) and the same session, so nothing a user built is lost by switching.

import { LANG } from './i18n.js';

const COOKIE_DAYS = 365;
const RESUME = 'neuron-resume'; // sessionStorage: this tab's session, across the reload

/** Wire the select #language; current() gives {sessionId, token} of the session on screen. */
export function bindLanguageSwitch(select, current) {
  select.value = LANG;
  select.addEventListener('change', () => {
    const lang = select.value;
    document.cookie = `lang=${lang}; path=/; max-age=${COOKIE_DAYS * 86400}; SameSite=Lax`;
    const { sessionId, token } = current();
    if (sessionId && token) {
      try {
        sessionStorage.setItem(RESUME, JSON.stringify({ sessionId, token }));
      } catch {
        // without storage the page starts a new session from the same setup
      }
    }
    const url = new URL(location.href);
    url.searchParams.set('lang', lang);
    location.assign(url.href);
  });
}

/** The session this tab had before switching language ({sessionId, token}), once; else null. */
export function resumeAfterSwitch() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(RESUME) ?? 'null');
    sessionStorage.removeItem(RESUME);
    return saved?.sessionId && saved?.token ? saved : null;
  } catch {
    return null;
  }
}
