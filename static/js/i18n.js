// The page's words in its language: the catalog static/i18n/<lang>.json, which the server embeds
// in the page (#i18n-data) as it renders the templates from the same file. `t(key, params)` fills
// {placeholders}; a plural message ({one, other, ...}) picks its form by params.count with
// Intl.PluralRules; numbers are written by Intl.NumberFormat in the page's language.

function embedded() {
  const node = typeof document !== 'undefined' ? document.getElementById('i18n-data') : null;
  try {
    return node ? JSON.parse(node.textContent) : {};
  } catch {
    return {};
  }
}

const data = embedded();
/** The page's language (en, es, fr), as <html lang> says it. */
export const LANG = data.lang ?? 'en';
const MESSAGES = data.messages ?? {};
const plurals = new Intl.PluralRules(LANG);
const counts = new Intl.NumberFormat(LANG);

/** Whether the catalog has `key` (for names that exist only for some ids). */
export function has(key) {
  return key in MESSAGES;
}

/** The message `key` with {name} placeholders filled from `params`; {count} is written as the
 *  language writes numbers. A missing key shows itself, so a test can catch it. */
export function t(key, params = {}) {
  let message = MESSAGES[key];
  if (message === undefined) return key;
  if (typeof message === 'object') message = message[plurals.select(params.count ?? 0)] ?? message.other;
  return message.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in params)) return whole;
    return name === 'count' ? counts.format(params.count) : String(params[name]);
  });
}

/** `t(key)` when the catalog has it, else `fallback` (a name the user gave, an upload's). */
export function tOr(key, fallback, params = {}) {
  return has(key) ? t(key, params) : fallback;
}

/** The decimal separator of the language: a comma in Spanish and French, so lists of numbers
 *  are separated by semicolons there. */
export const DECIMAL = new Intl.NumberFormat(LANG).formatToParts(0.5).find((p) => p.type === 'decimal')?.value ?? '.';
export const LIST_SEPARATOR = DECIMAL === ',' ? '; ' : ', ';
