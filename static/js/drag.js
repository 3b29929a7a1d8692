// The boundary line moved by hand, as geometry only: where a press grabs the line, and the
// weights and bias that put the line where the pointer is. Pure: no DOM. The page sends the
// result as an intent; the server's next frame is what gets drawn.

export const LINE_REACH = 8; // CSS px from the line that still grabs it
export const END_REACH = 12; // CSS px from an end point that grabs that end (to turn the line)

const dot = (u, v) => u[0] * v[0] + u[1] * v[1];
const minus = (u, v) => [u[0] - v[0], u[1] - v[1]];

/** The pre-activation on the line, z* = w·p0 + b (0 for step, sigmoid, tanh; 0.5 for relu, linear). */
export function levelOf(line, weights, bias) {
  return dot(weights, line[0]) + bias;
}

/** The point of segment [a, b] nearest to p, and its distance. */
function nearest(p, a, b) {
  const ab = minus(b, a);
  const length2 = dot(ab, ab);
  const t = length2 > 0 ? Math.min(1, Math.max(0, dot(minus(p, a), ab) / length2)) : 0;
  const foot = [a[0] + t * ab[0], a[1] + t * ab[1]];
  return { t, distance: Math.hypot(p[0] - foot[0], p[1] - foot[1]) };
}

/**
 * What a press at `pointer` grabs, all in pixels: {end: 0 | 1} (turn about the other end),
 * {end: null, t} (the middle, at fraction t from the first end), or null (not the line).
 */
export function grabAt(linePx, pointer, { lineReach = LINE_REACH, endReach = END_REACH } = {}) {
  const ends = linePx.map((q) => Math.hypot(pointer[0] - q[0], pointer[1] - q[1]));
  const end = ends[0] <= ends[1] ? 0 : 1;
  if (ends[end] <= endReach) return { end, t: end };
  const { t, distance } = nearest(pointer, linePx[0], linePx[1]);
  return distance <= lineReach ? { end: null, t } : null;
}

/** The same w, and the b that moves the line parallel to itself through `point`: b = z* − w·p. */
export function shiftLine(line, weights, bias, point) {
  return { weights: [...weights], bias: levelOf(line, weights, bias) - dot(weights, point) };
}

/**
 * The line turned about its other end so that it passes through `point`, |w| kept. Of the two
 * normals, the one nearer `toward` (by default w) keeps the class-1 side where it was.
 * Null when `point` is on the pivot (no direction).
 */
export function turnLine(line, weights, bias, end, point, toward = weights) {
  const pivot = line[1 - end];
  const [dx, dy] = minus(point, pivot);
  const length = Math.hypot(dx, dy);
  if (!(length > 0)) return null;
  const scale = Math.hypot(weights[0], weights[1]) / length;
  let normal = [-dy * scale, dx * scale];
  if (dot(normal, toward) < 0) normal = [-normal[0], -normal[1]];
  return { weights: normal, bias: levelOf(line, weights, bias) - dot(normal, pivot) };
}

/**
 * Without a bias the line cannot leave its place relative to the origin: w turns about the
 * origin by the angle from `from` to `to`, |w| kept, b stays 0. Null at the origin.
 */
export function turnAboutOrigin(weights, from, to) {
  if (Math.hypot(...from) === 0 || Math.hypot(...to) === 0) return null;
  const angle = Math.atan2(to[1], to[0]) - Math.atan2(from[1], from[0]);
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  return { weights: [c * weights[0] - s * weights[1], s * weights[0] + c * weights[1]], bias: 0 };
}
