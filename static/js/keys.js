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
    actions[action]();
  });
}

function isTyping(target) {
  if (target.isContentEditable) return true;
  if (!TYPING.has(target.tagName)) return false;
  return !(target.type === 'checkbox' && !keyboardFocused(target));
}

// A control focused by the keyboard keeps Space for itself; one merely left focused by a
// mouse click does not, so Space after clicking Reset plays instead of resetting again.
function keyboardFocused(target) {
  try {
    return target.matches(':focus-visible');
  } catch {
    return true;
  }
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
