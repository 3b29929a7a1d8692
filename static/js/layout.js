// The page around the playground: the lessons menu and panel, presenter mode, full screen, and
// a plot sized to fit the window.

import { LANG, t } from './i18n.js';
import { LESSONS } from './lessons.js';
import { fromURL } from './state.js';

const $ = (id) => document.getElementById(id);

/** Fill the lessons menu; a plain click on any ?lesson= link calls onPick(values of the link). */
export function buildLessonMenu(onPick) {
  const list = $('lesson-list');
  for (const lesson of LESSONS) {
    const item = document.createElement('li');
    const a = document.createElement('a');
    a.href = `?lesson=${lesson.number}&lang=${LANG}`;
    a.textContent = `${lesson.number}. ${lesson.title}`;
    item.append(a);
    list.append(item);
  }
  document.addEventListener('click', (event) => {
    const a = event.target.closest?.('a[href^="?lesson="]');
    if (!a || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    // A click that opens the lesson in this page keeps the session (and a classroom following it).
    if (onPick(fromURL(a.getAttribute('href'))) !== false) event.preventDefault();
  });
}

/** Show a lesson's title, text and neighbours, or without a lesson why this data cannot be
 *  learned (`why`: {title, text} or null); neither hides the panel. Students following see the
 *  teacher's lesson without the links that would take them out of the class. */
export function showLesson(lesson, why = null) {
  const panel = $('lesson-panel');
  const key = lesson ? `lesson ${lesson.number}` : why ? `why ${why.title}` : '';
  if (panel.dataset.shows === key) return;
  panel.dataset.shows = key;
  panel.hidden = !key;
  refit();
  $('lesson-nav').hidden = !lesson;
  if (!lesson) {
    if (!why) return;
    $('lesson-title').textContent = why.title;
    $('lesson-text').replaceChildren(paragraph(why.text));
    return;
  }
  $('lesson-title').textContent = t('lessons.title', { n: lesson.number, title: lesson.title });
  $('lesson-text').innerHTML = lesson.text; // our own static text from lessons.js
  const prev = $('lesson-prev');
  const next = $('lesson-next');
  prev.hidden = lesson.number === 1;
  next.hidden = lesson.number === LESSONS.length;
  prev.href = `?lesson=${lesson.number - 1}&lang=${LANG}`;
  next.href = `?lesson=${lesson.number + 1}&lang=${LANG}`;
  prev.textContent = `← ${t('lessons.n', { n: lesson.number - 1 })}`;
  next.textContent = `${t('lessons.n', { n: lesson.number + 1 })} →`;
}

function paragraph(text) {
  const p = document.createElement('p');
  p.textContent = text;
  return p;
}

export function showPresenter(on) {
  document.documentElement.classList.toggle('presenter', on);
  // On a projector the teacher tells the lesson; its text folds away to leave room for the plot.
  $('lesson-details').open = !on;
  $('presenter').setAttribute('aria-pressed', String(on));
  refit();
}

const MIN_PLOT = 300; // px: below this a plot stops being readable, so the page scrolls instead
const PHONE = window.matchMedia('(max-width: 760px)'); // as the phone layout in app.css

/** Where the timeline goes: under the plot's legend, inside the stage; on a phone after the last
 *  update instead (a grid item of its own), so that the update stays right under the plot. */
export function placeTimeline() {
  const bar = document.querySelector('.timeline-bar');
  const stage = document.querySelector('.stage');
  if (PHONE.matches && bar.parentElement === stage) stage.after(bar);
  else if (!PHONE.matches && bar.parentElement !== stage) stage.append(bar);
  refit();
}
PHONE.addEventListener?.('change', placeTimeline);

/** How much of an element under the plot must show with it: the legend and a custom set's
 *  tools whole; the timeline without its note (which comes and goes as one scrubs: the plot does
 *  not jump for it), and on a projector none of it: there the plot comes first, the timeline
 *  just below. */
function keptInView(e) {
  if (!e.classList.contains('timeline-bar')) return e.offsetHeight;
  if (document.documentElement.classList.contains('presenter')) return 0;
  return e.offsetHeight - (e.querySelector('.timeline-note')?.offsetHeight ?? 0);
}

/** Size the plot to the room under its top edge: the column's width, and at most that as
 *  height (a square) or less when the window is short, so that all of it and its legend show.
 *  The status above keeps a fixed height, so nothing it says moves the plot. */
function fitPlot() {
  const wrap = document.querySelector('.canvas-wrap');
  const top = wrap.getBoundingClientRect().top + window.scrollY;
  const below = [...wrap.parentElement.children]
    .filter((e) => e !== wrap && e.offsetTop > wrap.offsetTop)
    .reduce((sum, e) => sum + keptInView(e), 0);
  const width = wrap.parentElement.clientWidth;
  const room = window.innerHeight - top - below - 12;
  const height = Math.round(Math.max(Math.min(MIN_PLOT, width), Math.min(room, width)));
  const root = document.documentElement.style;
  root.setProperty('--plot-height', `${height}px`);
  root.setProperty('--plot-aspect', 'auto');
}

export function refit() {
  requestAnimationFrame(fitPlot);
}

// The legend grows a line when the drag hint shows, a custom set's tools come and go: refit then.
const underPlot = new ResizeObserver(() => refit());
for (const e of document.querySelectorAll('.legend, .custom-tools')) underPlot.observe(e);

export function toggleFullscreen() {
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  else document.documentElement.requestFullscreen?.().catch(() => {});
}
