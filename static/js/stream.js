// The live stream (PRODUCT.md §7): frames in, intents out, reconnecting after a blip.

const BACKOFF_MS = [250, 500, 1000, 2000, 4000];
const MAX_QUEUE = 20;
const OUTPUTS_EVERY_MS = 200;

export class Stream {
  /**
   * url: the WebSocket URL; handlers: onFrame(frame), onError(detail), onState(state) with
   * state one of "connecting" | "open" | "reconnecting" | "gone".
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.queue = [];
    this.attempt = 0;
    this.closed = false;
    this.socket = null;
    this.timer = null;
    this.wake = () => this.reconnectNow();
    window.addEventListener('online', this.wake);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.wake();
    });
  }

  connect() {
    if (this.closed) return;
    this.handlers.onState?.(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.state = null; // the first frame of every connection is whole
      this.handlers.onState?.('open');
      for (const message of this.queue.splice(0)) socket.send(JSON.stringify(message));
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => this.lost(socket, event);
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.type === 'frame') this.receiveFrame(message);
    else if (message.type === 'outputs') this.receiveOutputs(message);
    else if (message.type === 'error') this.handlers.onError?.(message.detail, message.code, message.params);
  }

  /**
   * Frames are compact: the first one whole (`full`), later ones only what changed, merged here
   * into the whole state the page draws. Past 256 samples frames leave the per-sample outputs
   * out; they are asked for (a few times a second at most) and merged in when they come.
   */
  receiveFrame(frame) {
    if (frame.full || !this.state) {
      this.state = frame;
      this.large = !('predictions' in frame);
      this.outputsStep = null;
    } else {
      this.state = { ...this.state, ...frame };
    }
    if (this.large && this.outputsStep !== this.state.step) this.askOutputs();
    if (!this.large || this.outputsStep !== null) this.handlers.onFrame?.(this.state);
  }

  receiveOutputs(message) {
    if (!this.state || !this.large) return;
    this.outputsStep = message.step;
    this.state = { ...this.state, outputs: message.outputs, predictions: message.predictions };
    this.handlers.onFrame?.(this.state);
  }

  askOutputs() {
    if (this.outputsTimer) return;
    const wait = Math.max(0, OUTPUTS_EVERY_MS - (performance.now() - (this.outputsAt ?? -1e9)));
    this.outputsTimer = setTimeout(() => {
      this.outputsTimer = null;
      this.outputsAt = performance.now();
      this.send({ type: 'outputs' });
    }, wait);
  }

  lost(socket, event) {
    if (socket !== this.socket || this.closed) return;
    // 1008 (policy) and 4xxx (application) codes mean the session is gone or refused us.
    if (event.code === 1008 || (event.code >= 4000 && event.code < 5000)) {
      this.handlers.onState?.('gone', event.reason);
      return;
    }
    this.handlers.onState?.('reconnecting');
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (this.closed || !this.socket || this.socket.readyState <= WebSocket.OPEN) return;
    clearTimeout(this.timer);
    this.connect();
  }

  /** Send an intent; while the socket is down, keep the last few and send them on reconnect. */
  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return;
    }
    this.queue.push(message);
    if (this.queue.length > MAX_QUEUE) this.queue.shift();
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    window.removeEventListener('online', this.wake);
    this.socket?.close();
  }
}
