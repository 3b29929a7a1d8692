// Wiring: the URL gives the setup, the server runs the neuron, frames come in over the stream,
// and every module draws its part. The page never computes the neuron: it draws state and sends
// intents.

import * as api from './api.js';
import { Plot } from './canvas.js';
import { Charts } from './charts.js';
import { Controls } from './controls.js';
import { statsText, statusText } from './format.js';
import { bindKeys } from './keys.js';
import { LESSONS, lessonByNumber } from './lessons.js';
import { UpdateView } from './maths.js';
import { NeuronView } from './neuron.js';
import { bindDialogs, bindDownloads, openShareDialog, setExportLink } from './share.js';
import { configFrom, fromURL, toURL, tokenFromHash, valuesFromConfig, withDefaults } from './state.js';
import { Stream } from './stream.js';
import { SampleTable, onlineSample } from './table.js';

const $ = (id) => document.getElementById(id);
const DEFAULT_POINTS = { X: [[-1, -1], [-0.5, -1], [1, 1], [0.5, 1]], y: [0, 0, 1, 1] };
const MAX_COPIED_POINTS = 2000;

const page = {
  values: null, // every PROPS value (state.js)
  sessionId: null,
  token: null,
  viewer: false,
  shared: false,
  frame: null,
  data: null,
  features: null, // the training rows in feature space, when the plot shows a plane
  stream: null,
  connection: 'connecting',
  error: null,
  fatal: null,
  datasets: {},
  cleared: false, // custom points cleared locally, waiting for the first new one
  drawQueued: false,
  lastURL: null,
  lastStatus: null,
  historyLoading: false,
};

const plot = new Plot($('plot'), { onAddPoint: addPoint });
const charts = new Charts($('loss-chart'), $('acc-chart'));
const neuron = new NeuronView(
  { svg: $('neuron-svg'), params: $('params'), formula: $('formula'), weights: $('weights'), hint: $('edit-hint') },
  { onSetWeights: (weights, bias) => send({ type: 'set', weights, ...(page.frame?.config.use_bias ? { bias } : {}) }) },
);
const updateView = new UpdateView($('update'));
const table = new SampleTable($('samples'), $('table-title'), $('table-note'));
const actions = {
  playPause: () => send({ type: page.frame?.status === 'running' ? 'pause' : 'play' }),
  step: () => stepBy({ epochs: 1 }),
  stepSample: () => (page.values.batch === 'full' ? stepBy({ epochs: 1 }) : stepBy({ samples: 1 })),
  reset: () => send({ type: 'reset' }),
  regenerate: () => send({ type: 'set', config: { seed: (page.values.seed ?? 0) + 1 } }),
  clearPoints: () => { page.cleared = true; draw(); },
  presenter: () => setPresenter(!page.values.presenter),
  fullscreen: toggleFullscreen,
  help: () => ($('help').open ? $('help').close() : $('help').showModal()),
};
const controls = new Controls({
  onConfig: changeConfig,
  onView: (name, value) => { page.values[name] = value; draw(); },
  onSpeed: (fps, spf) => { Object.assign(page.values, { fps, steps_per_frame: spf }); sendSpeed(); draw(); },
  onAction: (name) => actions[name](),
});

// ---- intents --------------------------------------------------------------------------------
function send(message) {
  if (!page.viewer && page.stream) page.stream.send(message);
}

function stepBy(amount) {
  if (page.frame?.status === 'running') send({ type: 'pause' });
  send({ type: 'step', ...amount });
}

function sendSpeed() {
  send({ type: 'speed', fps: page.values.fps, steps_per_frame: page.values.steps_per_frame });
}

function changeConfig(patch) {
  if (patch.dataset === 'custom') patch.points = startingPoints();
  page.cleared = false;
  send({ type: 'set', config: patch });
}

/** A custom set starts from the points on screen when they are 2-D, so a learner edits them. */
function startingPoints() {
  const d = page.data;
  if (d && d.X[0]?.length === 2 && !page.frame?.boundary.plane && d.y.length <= MAX_COPIED_POINTS) {
    const r = (v) => Math.round(v * 1000) / 1000;
    return { X: d.X.map(([a, b]) => [r(a), r(b)]), y: [...d.y] };
  }
  return DEFAULT_POINTS;
}

function addPoint([x, y], otherClass) {
  const chosen = Number($('point-class').value);
  const cls = otherClass ? 1 - chosen : chosen;
  const old = page.cleared ? { X: [], y: [] } : (page.frame?.config.points ?? { X: [], y: [] });
  const r = (v) => Math.round(v * 1000) / 1000;
  page.cleared = false;
  send({ type: 'set', config: { points: { X: [...old.X, [r(x), r(y)]], y: [...old.y, cls] } } });
}

function applyLesson(n) {
  const lesson = lessonByNumber(n);
  if (!lesson) return;
  const keep = { presenter: page.values.presenter, session: page.values.session };
  page.values = withDefaults({ ...lesson.props, lesson: n, ...keep });
  send({ type: 'pause' });
  send({ type: 'set', config: { ...configFrom(page.values), max_epochs: page.values.max_epochs } });
  send({ type: 'reset' });
  sendSpeed();
  $('lessons-menu').open = false;
  showLesson();
  draw();
}

// ---- frames in ------------------------------------------------------------------------------
function onFrame(frame) {
  const previous = page.frame;
  page.frame = frame;
  Object.assign(page.values, valuesFromConfig(frame.config));
  page.fatal = null;
  if (!page.data || page.data.data_version !== frame.data_version) loadData(frame);
  const restarted = !previous || frame.step < previous.step || frame.epoch < previous.epoch
    || frame.data_version !== previous.data_version;
  const cameToRest = previous?.status === 'running' && frame.status !== 'running';
  if (restarted || cameToRest) loadHistory();
  else charts.append(frame);
  draw();
}

async function loadData(frame) {
  const version = frame.data_version;
  if (page.loadingVersion === version) return;
  page.loadingVersion = version;
  try {
    const data = await api.getData(page.sessionId);
    if (data.data_version !== page.frame?.data_version) return;
    page.features = await featureRows(frame, data);
    page.data = data;
    draw();
  } catch (error) {
    showError(`Could not load the data: ${error.message}`);
  } finally {
    page.loadingVersion = null;
  }
}

/** The table shows the inputs themselves: the symptoms table's rows come from its dataset. */
async function featureRows(frame, data) {
  if (data.X_features) return data.X_features;
  if (frame.config.dataset === 'virus' && !frame.config.test_fraction) {
    const raw = await fetch('/api/datasets/virus').then((r) => r.json());
    return raw.X;
  }
  return null;
}

async function loadHistory() {
  if (page.historyLoading) {
    page.historyAgain = true;
    return;
  }
  page.historyLoading = true;
  try {
    const history = await api.getHistory(page.sessionId);
    charts.setHistory(history, page.frame?.test_accuracy !== null && page.frame?.test_accuracy !== undefined);
  } catch {
    // the curves catch up with the next frame
  } finally {
    page.historyLoading = false;
    if (page.historyAgain) {
      page.historyAgain = false;
      loadHistory();
    }
  }
}

function showError(text) {
  page.error = text;
  clearTimeout(page.errorTimer);
  page.errorTimer = setTimeout(() => { page.error = null; draw(); }, 8000);
  draw();
}

// ---- drawing --------------------------------------------------------------------------------
function draw() {
  if (page.drawQueued) return;
  page.drawQueued = true;
  requestAnimationFrame(render);
}

function render() {
  page.drawQueued = false;
  const f = page.frame;
  const ctx = { viewer: page.viewer, connecting: page.connection === 'connecting',
    reconnecting: page.connection === 'reconnecting', error: page.fatal };
  let status = statusText(f, ctx);
  if (page.error && !page.fatal) status = `${page.error} ${status}`;
  if (page.cleared && f?.config.dataset === 'custom') status = 'Points cleared: click or tap the plot to place the first one.';
  if (status !== page.lastStatus) {
    $('status').textContent = status;
    page.lastStatus = status;
  }
  $('stats').textContent = statsText(f);
  $('status').classList.toggle('bad', f?.status === 'diverged' || Boolean(page.error || page.fatal));
  if (!f) return;
  controls.show(page.values, f);
  document.body.classList.toggle('running', f.status === 'running');
  $('dataset-about').textContent = page.datasets[f.config.dataset]?.description ?? '';
  plot.editable = !page.viewer && f.config.dataset === 'custom';
  const drawn = scene(f);
  plot.setScene(drawn);
  document.querySelector('.legend-test').hidden = !drawn.test;
  neuron.update(f, { editable: !page.viewer && f.status !== 'running' });
  updateView.update(f);
  if (page.data?.data_version === f.data_version) table.update(f, page.data, page.features);
  updateURL();
}

function scene(f) {
  const d = page.data?.data_version === f.data_version ? page.data : null;
  const cleared = page.cleared && f.config.dataset === 'custom';
  const names = f.boundary.plane ? ['PC 1', 'PC 2'] : (f.feature_names?.length === 2 ? f.feature_names : ['x1', 'x2']);
  return {
    view: f.boundary.view,
    grid: cleared ? null : f.boundary.grid,
    line: cleared ? null : f.boundary.line,
    points: d && !cleared ? { X: d.X, y: d.y, predictions: f.predictions } : null,
    test: d && !cleared && page.values.show_test && d.X_test ? { X: d.X_test, y: d.y_test } : null,
    highlight: onlineSample(f),
    discretise: page.values.discretise,
    labels: names,
  };
}

function updateURL() {
  if (page.viewer) return;
  const values = { ...page.values, autoplay: false, session: page.shared ? page.sessionId : null };
  const url = `${location.pathname}${toURL(values)}${page.shared && page.token ? `#token=${encodeURIComponent(page.token)}` : ''}`;
  if (url !== page.lastURL) {
    history.replaceState(null, '', url);
    page.lastURL = url;
  }
}

// ---- page furniture -------------------------------------------------------------------------
function buildLessonMenu() {
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
    if (!a || page.viewer || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    const given = fromURL(a.getAttribute('href'));
    event.preventDefault();
    applyLesson(given.lesson);
    const { lesson, ...overrides } = given;
    if (Object.keys(overrides).length) {
      Object.assign(page.values, overrides);
      send({ type: 'set', config: configFrom(page.values) });
      send({ type: 'reset' });
    }
  });
}

function showLesson() {
  const lesson = page.values.lesson ? lessonByNumber(page.values.lesson) : null;
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

function setPresenter(on) {
  page.values.presenter = on;
  document.documentElement.classList.toggle('presenter', on);
  // On a projector the teacher tells the lesson; its text folds away to leave room for the plot.
  $('lesson-details').open = !on;
  $('presenter').setAttribute('aria-pressed', String(on));
  refit();
  charts.setLarge(on);
  plot.draw();
  draw();
}

/** Size the plot so that all of it fits under its top edge in the window. */
function fitPlot() {
  const top = document.querySelector('.canvas-wrap').getBoundingClientRect().top + window.scrollY;
  const legend = document.querySelector('.legend').offsetHeight;
  const room = Math.max(260, window.innerHeight - top - legend - 44); // and a line for the status to grow
  document.documentElement.style.setProperty('--plot-room', `${Math.round(room)}px`);
}

function refit() {
  requestAnimationFrame(fitPlot);
}

function toggleFullscreen() {
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  else document.documentElement.requestFullscreen?.().catch(() => {});
}

function share() {
  page.shared = true;
  $('link-state').hidden = false;
  $('link-state').textContent = 'Sharing live';
  updateURL();
  openShareDialog(page.sessionId);
}

// ---- start ----------------------------------------------------------------------------------
async function createSession() {
  try {
    return await api.createSession(configFrom(page.values));
  } catch (error) {
    // A link with a bad value still opens: the defaults, and the reason on the status line.
    showError(`The link's setup was refused (${error.message}); showing the default instead.`);
    page.values = withDefaults({ presenter: page.values.presenter });
    return api.createSession(configFrom(page.values));
  }
}

function openStream() {
  page.stream?.close();
  page.stream = new Stream(api.streamUrl(page.sessionId, page.token), {
    onFrame,
    onError: (detail) => { showError(api.describe(detail)); },
    onState: (state) => {
      page.connection = state;
      if (state === 'open' && !page.viewer) sendSpeed();
      if (state === 'gone') {
        page.fatal = page.viewer
          ? 'This session has ended. Open the playground without ?session= to start your own.'
          : 'This session has ended; reload the page to start a new one.';
      }
      draw();
    },
  });
  page.stream.connect();
}

async function start() {
  const given = fromURL(location.search);
  const lesson = given.lesson ? lessonByNumber(given.lesson) : null;
  page.values = withDefaults({ ...(lesson?.props ?? {}), ...given });
  if (page.values.dataset === 'custom' && !page.values.points) page.values.points = DEFAULT_POINTS;
  page.token = tokenFromHash(location.hash);
  setPresenter(page.values.presenter);
  buildLessonMenu();
  showLesson();
  bindDialogs();
  bindDownloads(() => page.frame, plot);
  bindKeys(actions);
  window.addEventListener('resize', refit);
  $('lesson-details').addEventListener('toggle', refit);
  $('share').addEventListener('click', share);
  $('presenter').addEventListener('click', actions.presenter);
  $('fullscreen').addEventListener('click', toggleFullscreen);
  $('help-open').addEventListener('click', actions.help);
  api.listDatasets().then((list) => {
    page.datasets = Object.fromEntries(list.map((d) => [d.id, d]));
    draw();
  }).catch(() => {});
  if (page.values.session) {
    page.sessionId = page.values.session;
    page.viewer = !page.token;
    page.shared = true;
  } else {
    try {
      const created = await createSession();
      page.sessionId = created.id;
      page.token = created.control_token;
      onFrame(created);
    } catch (error) {
      page.fatal = `Could not start a session: ${error.message}`;
      draw();
      return;
    }
  }
  $('badge').hidden = !page.viewer;
  $('share').hidden = page.viewer;
  $('link-state').hidden = !(page.shared && !page.viewer);
  $('link-state').textContent = 'Sharing live';
  controls.setViewer(page.viewer);
  setExportLink(page.sessionId);
  openStream();
  if (page.values.autoplay) send({ type: 'play' });
}

start();
