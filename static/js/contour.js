// The network's decision boundary, curved now: the line where the server's output grid crosses
// the midpoint, traced cell by cell (marching squares). Drawing only: the grid is the server's.

/** Segments [[x0, y0], [x1, y1]] in grid coordinates (0..width, 0..height, row 0 at the top). */
export function contourSegments({ width, height, bytes }, level = 127.5) {
  const at = (i, j) => bytes[j * width + i];
  const segments = [];
  const cross = (a, b, va, vb) => a + (b - a) * ((level - va) / (vb - va));
  for (let j = 0; j + 1 < height; j += 1) {
    for (let i = 0; i + 1 < width; i += 1) {
      // Cell corners at the centres of four grid cells.
      const v = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)];
      const x = i + 0.5;
      const y = j + 0.5;
      const corners = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1]];
      const points = [];
      for (let k = 0; k < 4; k += 1) {
        const a = v[k];
        const b = v[(k + 1) % 4];
        if ((a > level) === (b > level)) continue;
        const [pa, pb] = [corners[k], corners[(k + 1) % 4]];
        points.push([cross(pa[0], pb[0], a, b), cross(pa[1], pb[1], a, b)]);
      }
      if (points.length === 2) segments.push(points);
      else if (points.length === 4) segments.push([points[0], points[1]], [points[2], points[3]]);
    }
  }
  return segments;
}
