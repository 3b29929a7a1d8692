// The trail: the last few boundary lines, kept from the frames as they arrive, so the plot can
// fade them behind the current one (perceptron updates jump; gradient descent glides).

const TRAIL_LENGTH = 6;

export class Trail {
  constructor() {
    this.lines = [];
    this.key = null;
  }

  /** Remember the frame's line; a new dataset or a reset starts a new trail. */
  push(frame, previous) {
    const key = frame.data_version;
    const restarted = !previous || key !== this.key || frame.step < previous.step;
    if (restarted) this.lines = [];
    this.key = key;
    const line = frame.boundary?.line;
    const last = this.lines[this.lines.length - 1];
    if (line && JSON.stringify(line) !== JSON.stringify(last)) {
      this.lines.push(line);
      if (this.lines.length > TRAIL_LENGTH + 1) this.lines.shift();
    }
  }

  /** The lines behind the current one, oldest first (the newest is the line itself). */
  behind() {
    return this.lines.slice(0, -1);
  }
}
