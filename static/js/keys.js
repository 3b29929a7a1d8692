// Keyboard shortcuts: Space play/pause, S or → step (with Shift: one sample), R reset,
// P presenter mode, F full screen, ? help. Typing in a field never triggers them.

const TYPING = new Set(['INPUT', 'SELECT', 'TEXTAREA']);

/** actions: {playPause, step, stepSample, reset, presenter, fullscreen, help} */
export function bindKeys(actions) {
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = event.target;
    if (isTyping(target)) return;
    if (target.closest && target.closest('dialog[open]')) return;
    const action = pick(event, target);
    if (!action || !actions[action]) return;
    event.preventDefault();
    // A button clicks on Space's keyup; blurred now, the keyup lands on the page instead.
    if (action === 'playPause' && target !== document.body) target.blur?.();
    actions[action]();
  });
}

function isTyping(target) {
  if (target.isContentEditable) return true;
  if (!TYPING.has(target.tagName)) return false;
  // A checkbox or a list picked with the pointer hands the keys back to the shortcuts, so that
  // S after choosing a dataset steps instead of jumping to the "Symptoms table".
  const picked = target.type === 'checkbox' || target.tagName === 'SELECT';
  return !(picked && !keyboardFocused(target));
}

// A control focused by the keyboard keeps Space for itself; one merely left focused by a
// pointer does not, so Space after clicking Reset plays instead of resetting again.
// (:focus-visible cannot tell: a key press makes the focused element focus-visible.)
let pointerFocused = null;
document.addEventListener('pointerdown', (event) => {
  pointerFocused = event.target.closest?.('button, a, summary, input, select') ?? null;
}, true);
document.addEventListener('focusin', (event) => {
  if (event.target !== pointerFocused) pointerFocused = null;
});

function keyboardFocused(target) {
  return target !== pointerFocused;
}

function pick(event, target) {
  const control = ['BUTTON', 'A', 'SUMMARY', 'INPUT'].includes(target.tagName);
  if (event.key === ' ' || event.code === 'Space') {
    return control && keyboardFocused(target) ? null : 'playPause';
  }
  if (event.key === '?') return 'help';
  if (event.key === 'ArrowRight') return event.shiftKey ? 'stepSample' : 'step';
  switch (event.code) {
    case 'KeyS': return event.shiftKey ? 'stepSample' : 'step';
    case 'KeyR': return event.shiftKey ? null : 'reset';
    case 'KeyP': return event.shiftKey ? null : 'presenter';
    case 'KeyF': return event.shiftKey ? null : 'fullscreen';
    default: return null;
  }
}
