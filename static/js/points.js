// The points of a custom dataset: where a new set starts, and a set with one more point. Pure.

export const DEFAULT_POINTS = { X: [[-1, -1], [-0.5, -1], [1, 1], [0.5, 1]], y: [0, 0, 1, 1] };
const MAX_COPIED_POINTS = 2000;

const round = (v) => Math.round(v * 1000) / 1000; // a click is not more precise than this

/** A custom set starts from the 2-D points on screen, so a learner edits what they see. */
export function startingPoints(data, plane) {
  if (data && data.X[0]?.length === 2 && !plane && data.y.length <= MAX_COPIED_POINTS) {
    return { X: data.X.map(([a, b]) => [round(a), round(b)]), y: [...data.y] };
  }
  return DEFAULT_POINTS;
}

/** The points with one more, of class `cls`, at (x, y). */
export function withPoint(points, [x, y], cls) {
  const old = points ?? { X: [], y: [] };
  return { X: [...old.X, [round(x), round(y)]], y: [...old.y, cls] };
}
