// The page around the playground: the lessons menu and panel, presenter mode, full screen, and
// a plot sized to fit the window.

import { LESSONS } from './lessons.js';
import { fromURL } from './state.js';

const $ = (id) => document.getElementById(id);

/** Fill the lessons menu; a plain click on any ?lesson= link calls onPick(values of the link). */
export function buildLessonMenu(onPick) {
  const list = $('lesson-list');
  for (const lesson of LESSONS) {
    const item = document.createElement('li');
    const a = document.createElement('a');
    a.href = `?lesson=${lesson.number}`;
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

/** Show a lesson's title, text and neighbours; null hides the panel. */
export function showLesson(lesson) {
  $('lesson-panel').hidden = !lesson;
  refit();
  if (!lesson) return;
  $('lesson-title').textContent = `Lesson ${lesson.number}: ${lesson.title}`;
  $('lesson-text').innerHTML = lesson.text; // our own static text from lessons.js
  const prev = $('lesson-prev');
  const next = $('lesson-next');
  prev.hidden = lesson.number === 1;
  next.hidden = lesson.number === LESSONS.length;
  prev.href = `?lesson=${lesson.number - 1}`;
  next.href = `?lesson=${lesson.number + 1}`;
  prev.textContent = `← Lesson ${lesson.number - 1}`;
  next.textContent = `Lesson ${lesson.number + 1} →`;
}

export function showPresenter(on) {
  document.documentElement.classList.toggle('presenter', on);
  // On a projector the teacher tells the lesson; its text folds away to leave room for the plot.
  $('lesson-details').open = !on;
  $('presenter').setAttribute('aria-pressed', String(on));
  refit();
}

/** Size the plot so that all of it fits under its top edge in the window. */
function fitPlot() {
  const wrap = document.querySelector('.canvas-wrap');
  const top = wrap.getBoundingClientRect().top + window.scrollY;
  const legend = document.querySelector('.legend').offsetHeight;
  const readable = Math.min(420, wrap.parentElement.clientWidth); // never a postage stamp
  const room = Math.max(readable, window.innerHeight - top - legend - 44); // 44: the status may grow
  document.documentElement.style.setProperty('--plot-room', `${Math.round(room)}px`);
}

export function refit() {
  requestAnimationFrame(fitPlot);
}

export function toggleFullscreen() {
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  else document.documentElement.requestFullscreen?.().catch(() => {});
}
