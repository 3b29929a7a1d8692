// Wiring: the URL gives the setup, the server runs the neuron, frames come in over the stream,
// and every module draws its part. The page never computes the neuron: it draws state and sends
// intents.

import * as api from './api.js';
import { Plot, describeScene, sceneFrom } from './canvas.js';
import { Charts } from './charts.js';
import { Controls } from './controls.js';
import { classLabel, classNames, finished, nothingToTrain, statsText, statusText, translatedClasses, whyNot } from './format.js';
import { showFullLink } from './embed.js';
import { LANG, t, tOr } from './i18n.js';
import { bindKeys } from './keys.js';
import { bindLanguageSwitch, resumeAfterSwitch } from './language.js';
import {
  buildLessonMenu, placeTimeline, refit, showLesson, showPresenter, toggleFullscreen,
} from './layout.js';
import { lessonByNumber } from './lessons.js';
import { LineDrag } from './linedrag.js';
import { UpdateView } from './maths.js';
import { NetworkView } from './network.js';
import { NeuronView } from './neuron.js';
import { DEFAULT_POINTS, startingPoints, withPoint } from './points.js';
import { PlotAxes } from './plotaxes.js';
import { PointSet } from './pointset.js';
import { bindDialogs, bindDownloads, openShareDialog, setExportLink } from './share.js';
import { configFrom, fromURL, toURL, tokenFromHash, valuesFromConfig, withDefaults } from './state.js';
import { Stream } from './stream.js';
import { SampleTable } from './table.js';
import { Uploads } from './upload.js';
import { Insight } from './insight.js';

const $ = (id) => document.getElementById(id);

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
  { svg: $('neuron-svg'), moment: $('neuron-moment'), params: $('params'), formula: $('formula'), weights: $('weights'), hint: $('edit-hint') },
  { onSetWeights: setWeights },
);
const network = new NetworkView(
  { panel: $('network-panel'), svg: $('network-svg'), weights: $('network-weights'), space: $('hidden-space'),
    hint: $('network-hint') },
  { onSetLayers: (layers) => send({ type: 'set', layers }) },
);
const lineDrag = new LineDrag(plot, { hint: $('drag-hint'), onSet: setWeights });
const updateView = new UpdateView($('update'));
const table = new SampleTable($('samples'), $('table-title'), $('table-note'));
const insight = new Insight({
  sessionId: () => page.sessionId, viewer: () => page.viewer, send: (message) => send(message), redraw: draw,
});
const actions = {
  playPause: () => {
    if (page.viewer) return;
    if (page.frame?.status !== 'running' && finished(page.frame)) showNote(nothingToTrain(page.frame));
    else send({ type: page.frame?.status === 'running' ? 'pause' : 'play' });
  },
  step: () => stepBy({ epochs: 1 }),
  stepSample: () => (page.values.batch === 'full' ? stepBy({ epochs: 1 }) : stepBy({ samples: 1 })),
  reset: () => send({ type: 'reset' }),
  regenerate: () => send({ type: 'set', config: { seed: (page.values.seed ?? 0) + 1 } }),
  clearPoints: () => {
    page.cleared = true;
    pointSet.clear();
    page.values.points = null;
    draw();
  },
  fitView: () => { plot.fixedView = null; draw(); },
  presenter: () => setPresenter(!page.values.presenter),
  fullscreen: toggleFullscreen,
  help: () => ($('help').open ? $('help').close() : $('help').showModal()),
};
const pointSet = new PointSet({
  onUploaded: (id) => send({ type: 'set', config: { dataset: id } }),
  onError: (message) => showError(message),
});
const uploads = new Uploads({
  onUse: (described, plotFeatures) => {
    page.datasets[described.id] = described;
    send({ type: 'set', config: { dataset: described.id, ...(plotFeatures ? { plot_features: plotFeatures } : {}) } });
  },
  onKnown: (described) => { page.datasets[described.id] = described; draw(); },
  current: () => page.frame,
  data: () => page.data,
});
const plotAxes = new PlotAxes((pair) => send({ type: 'set', config: { plot_features: pair } }));
const controls = new Controls({
  onConfig: changeConfig,
  onView: (name, value) => { page.values[name] = value; draw(); },
  onSpeed: (fps, spf) => { Object.assign(page.values, { fps, steps_per_frame: spf }); sendSpeed(); draw(); },
  onAction: (name) => actions[name](),
  onInvalid: (message) => showError(message),
});

// ---- intents --------------------------------------------------------------------------------
function send(message) {
  if (!page.viewer && page.stream) page.stream.send(message);
}

function setWeights(weights, bias) {
  send({ type: 'set', weights, ...(page.frame?.config.use_bias ? { bias } : {}) });
}

function stepBy(amount) {
  if (page.frame?.status === 'running') send({ type: 'pause' });
  send({ type: 'step', ...amount });
}

function sendSpeed() {
  send({ type: 'speed', fps: page.values.fps, steps_per_frame: page.values.steps_per_frame });
}

function changeConfig(patch) {
  page.cleared = false;
  if (patch.dataset === 'custom') { // the points on screen, kept as an upload of their own
    placePoints(startingPoints(page.data, page.frame?.boundary.plane));
    return;
  }
  if (patch.dataset) pointSet.leave();
  send({ type: 'set', config: patch });
}

function addPoint(at, otherClass) {
  const chosen = Number($('point-class').value);
  const old = page.cleared ? null : (pointSet.points ?? customPoints(page.data));
  page.cleared = false;
  placePoints(withPoint(old, at, otherClass ? 1 - chosen : chosen));
}

function placePoints(points) {
  pointSet.set(points);
  Object.assign(page.values, { dataset: 'custom', points });
  draw();
}

function applyLesson(n) {
  const lesson = lessonByNumber(n);
  if (!lesson) return;
  const keep = { presenter: page.values.presenter, session: page.values.session, embed: page.values.embed, lang: page.values.lang };
  page.values = withDefaults({ ...lesson.props, lesson: n, ...keep });
  send({ type: 'pause' });
  send({ type: 'set', config: { ...configFrom(page.values), max_epochs: page.values.max_epochs } });
  send({ type: 'reset' });
  send({ type: 'lesson', lesson: n });
  sendSpeed();
  $('lessons-menu').open = false;
  draw();
}

// ---- frames in ------------------------------------------------------------------------------
function onFrame(frame) {
  const previous = page.frame;
  page.frame = frame;
  const shownPoints = page.values.points;
  insight.frameIn(frame, previous);
  Object.assign(page.values, valuesFromConfig(frame.config));
  if (pointSet.owns(frame.config.dataset)) Object.assign(page.values, { dataset: 'custom', points: pointSet.points });
  // Frames leave a custom set's points out of their config: they come with the data.
  else if (frame.config.dataset === 'custom') page.values.points = customPoints(page.data) ?? shownPoints;
  else uploads.ensureKnown(frame.config.dataset);
  if (page.viewer && frame.speed) Object.assign(page.values, frame.speed); // the teacher's speed
  page.fatal = null;
  if (!page.data || page.data.data_version !== frame.data_version) loadData(frame);
  if (!previous) refit(); // the status and numbers are in place now
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
    page.features = featureRows(frame, data);
    page.data = data;
    if (frame.config.dataset === 'custom') page.values.points = customPoints(data);
    network.setLabels(data.y);
    draw();
  } catch (error) {
    showError(t('error.load_data', { reason: error.message }));
  } finally {
    page.loadingVersion = null;
  }
}

/** A custom set's points as its config gives them (training rows, then any test rows). */
function customPoints(data) {
  if (!data || data.data_version !== page.frame?.data_version) return null;
  const X = [...data.X_features, ...(data.X_test ?? [])];
  return { X, y: [...data.y, ...(data.y_test ?? [])] };
}

/** The table shows the inputs themselves when they fit (the symptoms table's four); wider
 *  data is shown by its principal-component coordinates, as on the plot. */
const MAX_TABLE_FEATURES = 8;

function featureRows(frame, data) {
  const rows = data.X_features;
  return rows && rows.length && rows[0].length <= MAX_TABLE_FEATURES ? rows : null;
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
    insight.setHistory(history);
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

/** A word to the user that is not an error (said in the status, in its usual colour). */
function showNote(text) {
  page.note = text;
  clearTimeout(page.noteTimer);
  page.noteTimer = setTimeout(() => { page.note = null; draw(); }, 6000);
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
  const f = page.frame && insight.shown(page.frame);
  const ctx = { viewer: page.viewer, connecting: page.connection === 'connecting',
    reconnecting: page.connection === 'reconnecting', error: page.fatal };
  let status = statusText(f, ctx);
  if (page.error && !page.fatal) status = `${page.error} ${status}`;
  else if (page.note && !page.fatal && finished(f)) status = page.note;
  const cleared = page.cleared && page.values.dataset === 'custom';
  if (cleared) status = t('status.cleared');
  if (status !== page.lastStatus) {
    $('status').textContent = status;
    page.lastStatus = status;
  }
  $('stats').textContent = statsText(f);
  $('status').classList.toggle('bad', f?.status === 'diverged' || Boolean(page.error || page.fatal));
  if (!f) return;
  controls.show(page.values, f);
  document.body.classList.toggle('running', f.status === 'running');
  document.body.classList.toggle('batch', f.config.batch === 'full');
  showPanels(f);
  $('dataset-about').textContent = tOr(`dataset.${f.config.dataset}.about`, page.datasets[f.config.dataset]?.description ?? '');
  plot.editable = !page.viewer && page.values.dataset === 'custom';
  // Placing points, the axes stay where they were when the set opened (or last fitted), so
  // each click lands under the pointer; a new frame's view is drawn inside them.
  if (!plot.editable) plot.fixedView = null;
  else if (!plot.fixedView) plot.fixedView = f.boundary.view;
  const data = page.data?.data_version === f.data_version ? page.data : null;
  const drawn = sceneFrom(f, data, { ...page.values, cleared });
  plot.setScene(insight.decorate(drawn));
  const steerable = !page.viewer && !insight.previewing && f.status !== 'running' && !f.boundary.plane
    && f.weights.length === 2 && !f.config.hidden_units;
  lineDrag.update(steerable
    ? { line: drawn.line, weights: f.weights, bias: f.bias, useBias: f.config.use_bias } : null);
  document.querySelector('.legend-test').hidden = !drawn.test;
  plotAxes.show(f);
  const classes = translatedClasses(f.config.dataset, data?.class_names);
  $('legend-class0').textContent = classLabel(classes, 0);
  $('legend-class1').textContent = classLabel(classes, 1);
  $('plot').setAttribute('aria-label', describeScene(f, drawn));
  const editable = !page.viewer && f.status !== 'running';
  const isNetwork = network.update(f, { editable });
  $('neuron-panel').hidden = isNetwork;
  $('legend-hidden').hidden = !isNetwork;
  if (!isNetwork) neuron.update(f, { editable });
  updateView.update(f, insight.previewing);
  if (page.data?.data_version === f.data_version) table.update(f, page.data, page.features, page.values.wrong_first);
  insight.draw(f);
  updateURL();
}

/** The lesson panel (the teacher's lesson reaches students through the frames), the legend's
 *  class names, and the plot refitted when what surrounds it changed. */
function showPanels(f) {
  const number = page.viewer ? f.lesson : page.values.lesson;
  const lesson = number ? lessonByNumber(number) : null;
  showLesson(lesson, lesson ? null : whyNot(f.config.dataset));
  const names = classNames(f.config.dataset) ?? [t('class.n', { k: 0 }), t('class.n', { k: 1 })];
  $('legend-class0').textContent = names[0];
  $('legend-class1').textContent = names[1];
  const around = [page.values.presenter, page.viewer, f.config.dataset === 'custom', f.config.batch,
    $('lesson-panel').hidden, $('lesson-details').open].join();
  if (around !== page.around) {
    page.around = around;
    refit();
  }
}

function updateURL() {
  showFullLink(page.values, page);
  if (page.viewer) return;
  const values = { ...page.values, autoplay: false, session: page.shared ? page.sessionId : null, lang: LANG };
  const url = `${location.pathname}${toURL(values)}${page.shared && page.token ? `#token=${encodeURIComponent(page.token)}` : ''}`;
  if (url !== page.lastURL) {
    history.replaceState(null, '', url);
    page.lastURL = url;
  }
}

function share() {
  page.shared = true;
  $('link-state').hidden = false;
  $('link-state').textContent = t('top.sharing');
  updateURL();
  openShareDialog(page.sessionId, page.token);
}

function onLessonLink(given) {
  applyLesson(given.lesson);
  const { lesson, lang, ...overrides } = given;
  if (Object.keys(overrides).length) {
    Object.assign(page.values, overrides);
    send({ type: 'set', config: configFrom(page.values) });
    send({ type: 'reset' });
  }
}

function setPresenter(on) {
  page.values.presenter = on && !page.values.embed; // an embedded plot is sized by its frame
  showPresenter(page.values.presenter);
  insight.setPresenter(page.values.presenter);
  charts.setLarge(page.values.presenter);
  plot.draw();
  draw();
}

// ---- start ----------------------------------------------------------------------------------
/** The config a session starts from: placed points go to the server as an upload first. */
async function serverConfig(values) {
  const config = configFrom(values);
  if (config.dataset !== 'custom' || !config.points) return config;
  pointSet.points = config.points;
  const { points, ...rest } = config;
  return { ...rest, dataset: await pointSet.store(points) };
}

/** Start a session from the link; a link with a bad value still opens, without that value. */
async function createSession(given) {
  try {
    return await api.createSession(await serverConfig(page.values));
  } catch (error) {
    if (!(error instanceof api.ApiError) || error.status !== 422) throw error;
    const bad = api.fieldsAt(error.detail);
    const kept = Object.fromEntries(Object.entries(given).filter(([name]) => !bad.includes(name)));
    const reason = api.describe(error.detail) || error.message;
    showError(bad.length ? t('error.link_without', { reason, fields: bad.map(api.fieldName).join(', ') })
      : t('error.link_default', { reason }));
    page.values = withDefaults(bad.length ? kept : { presenter: page.values.presenter, embed: page.values.embed });
    try {
      return await api.createSession(configFrom(page.values));
    } catch {
      page.values = withDefaults({ presenter: page.values.presenter, embed: page.values.embed });
      return api.createSession(configFrom(page.values));
    }
  }
}

function openStream() {
  page.stream?.close();
  page.stream = new Stream(api.streamUrl(page.sessionId, page.token), {
    onFrame,
    onError: (detail, code, params) => { showError(api.said(detail, code, params)); },
    onState: (state) => {
      page.connection = state;
      if (state === 'open' && !page.viewer) sendSpeed();
      if (state === 'gone') {
        page.fatal = page.viewer ? t('error.ended_viewer') : t('error.ended');
      }
      draw();
    },
  });
  page.stream.connect();
}

/** The session this tab had before it switched language (its state, with our token), if it
 *  is still there; else null, and a new one starts from the link. */
async function resumedSession() {
  const resumed = resumeAfterSwitch();
  if (!resumed) return null;
  try {
    const state = await api.getSession(resumed.sessionId);
    page.token = resumed.token;
    return state;
  } catch {
    return null;
  }
}

async function start() {
  const given = fromURL(location.search);
  const lesson = given.lesson ? lessonByNumber(given.lesson) : null;
  const setup = { ...(lesson?.props ?? {}), ...given };
  page.values = withDefaults(setup);
  if (page.values.dataset === 'custom' && !page.values.points) page.values.points = DEFAULT_POINTS;
  page.token = tokenFromHash(location.hash);
  setPresenter(page.values.presenter);
  buildLessonMenu((given) => !page.viewer && onLessonLink(given));
  placeTimeline();
  showLesson(lesson);
  bindDialogs();
  bindDownloads(() => page.frame, plot, () => page.datasets);
  bindKeys(actions);
  window.addEventListener('resize', refit);
  $('lesson-details').addEventListener('toggle', refit);
  $('share').addEventListener('click', share);
  $('presenter').addEventListener('click', actions.presenter);
  $('fit-view').addEventListener('click', actions.fitView);
  $('fullscreen').addEventListener('click', toggleFullscreen);
  $('help-open').addEventListener('click', actions.help);
  bindLanguageSwitch($('language'), () => ({ sessionId: page.sessionId, token: page.token }));
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
      const created = await resumedSession() ?? await createSession(setup);
      page.sessionId = created.id;
      page.token = created.control_token ?? page.token;
      onFrame(created);
    } catch (error) {
      page.fatal = t('error.start', { reason: error.message });
      draw();
      return;
    }
  }
  $('badge').hidden = !page.viewer;
  $('share').hidden = page.viewer;
  $('link-state').hidden = !(page.shared && !page.viewer);
  $('link-state').textContent = t('top.sharing');
  controls.setViewer(page.viewer);
  setExportLink(page.sessionId);
  openStream();
  if (!page.viewer && page.values.lesson) send({ type: 'lesson', lesson: page.values.lesson });
  if (page.values.autoplay) send({ type: 'play' });
}

start();
