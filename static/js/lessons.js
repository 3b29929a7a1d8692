// The lessons (PRODUCT.md §11, §18) come from the server's registry, embedded in the page as
// JSON (the same list GET /api/lessons gives): each a complete config, the page's speed for it
// and a short explanation. A lesson is a link, ?lesson=N; any other key in the link overrides it.

import { valuesFromConfig } from './state.js';

function embedded() {
  const node = typeof document !== 'undefined' ? document.getElementById('lessons-data') : null;
  try {
    return node ? JSON.parse(node.textContent) : [];
  } catch {
    return [];
  }
}

/** A server lesson as the page's values: its config as page properties, then its speed and view. */
export function lessonFrom(lesson) {
  const { points, ...props } = valuesFromConfig(lesson.config);
  return { number: lesson.number, id: lesson.id, title: lesson.title, text: lesson.text,
    epochs: lesson.epochs, props: { ...props, ...lesson.page } };
}

export const LESSONS = embedded().map(lessonFrom);

/** The lesson numbered n (1-based), or null. */
export function lessonByNumber(n) {
  return LESSONS[n - 1] ?? null;
}
