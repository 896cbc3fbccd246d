// A small client of the Vert.x SockJS event-bus bridge (/eventbus), over the sockjs-client bundle served by
// the service. Each connection gets a fresh single-use stream ticket; a dropped connection is re-opened with
// exponential backoff and each account's register carries the last seq seen (header sinceSeq), so the
// service replays what was missed before going live. Seqs already seen are dropped.

import { api } from './api.js';

const PING_MS = 5000;           // the bridge closes a socket that stays silent for its ping timeout (>= 10 s)
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 30000;

export class EventStream {
  /**
   * @param tenant      the token's tenant (addresses are oms.events.<tenant>.<accountId>)
   * @param accounts    the account ids to follow
   * @param onEvent     called with each new event {type, seq, clientId, timestamp, data}
   * @param onState     called with 'connecting' | 'live' | 'reconnecting' | 'stopped' and details
   * @param onResync    called with the account id when the service can no longer replay: reload it over REST
   * @param onLive      called after each (re)connect with {replayed}: false means nothing was replayed
   */
  constructor({ tenant, accounts, onEvent, onState, onResync, onLive }) {
    this.tenant = tenant;
    this.accounts = accounts;
    this.onEvent = onEvent;
    this.onState = onState;
    this.onResync = onResync;
    this.onLive = onLive;
    this.lastSeq = new Map();   // accountId -> last seq delivered
    this.attempt = 0;
    this.connections = 0;       // sockets opened, for the connection indicator's title and diagnostics
    this.lastRegister = null;
    this.lastError = null;
    this.sock = null;
    this.stopped = false;
    this.state = 'connecting';
  }

  address(accountId) {
    return `oms.events.${this.tenant}.${accountId}`;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    if (this.sock) this.sock.close();
    this.sock = null;
    this.setState('stopped');
  }

  setState(state, detail = {}) {
    this.state = state;
    this.onState(state, detail);
  }

  async connect() {
    if (this.stopped) return;
    this.setState(this.attempt === 0 && this.connections === 0 ? 'connecting' : 'reconnecting', { attempt: this.attempt });
    let url;
    try {
      const ticket = await api('POST', '/stream-tickets');
      url = ticket.body.sockJsUrl;
    } catch (e) {
      this.lastError = e.message;
      if (e.status === 401) { this.stop(); return; }
      this.retry();
      return;
    }
    if (this.stopped) return;
    // websocket first; xhr fallbacks keep the ticket in every URL. No iframe or eventsource transports:
    // the page's Content-Security-Policy allows neither frames nor inline code.
    const sock = new window.SockJS(url, null, { transports: ['websocket', 'xhr-streaming', 'xhr-polling'] });
    this.sock = sock;
    let replayed = false;
    sock.onopen = () => {
      if (sock !== this.sock) return;
      this.connections++;
      this.attempt = 0;
      for (const id of this.accounts) {
        const headers = {};
        if (this.lastSeq.has(id)) { headers.sinceSeq = String(this.lastSeq.get(id)); replayed = true; }
        this.lastRegister = { address: this.address(id), headers };
        sock.send(JSON.stringify({ type: 'register', address: this.address(id), headers }));
      }
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => {
        if (sock.readyState === 1) sock.send(JSON.stringify({ type: 'ping' }));
      }, PING_MS);
      this.setState('live', { connections: this.connections });
      this.onLive({ replayed });
    };
    sock.onmessage = (e) => {
      if (sock !== this.sock) return;
      let msg;
      try { msg = JSON.parse(e.data); } catch (err) { return; }
      if (msg.type === 'err') { this.lastError = String(msg.body); return; }
      if (msg.type !== 'rec' || !msg.body) return;
      const body = typeof msg.body === 'string' ? JSON.parse(msg.body) : msg.body;
      if (body.type === 'resync_required') {
        this.lastSeq.set(body.clientId, body.headSeq);
        this.onResync(body.clientId);
        return;
      }
      const last = this.lastSeq.get(body.clientId) ?? 0;
      if (typeof body.seq === 'number' && this.lastSeq.has(body.clientId) && body.seq <= last) return;
      if (typeof body.seq === 'number') this.lastSeq.set(body.clientId, body.seq);
      this.onEvent(body);
    };
    sock.onclose = (e) => {
      if (sock !== this.sock) return;
      clearInterval(this.pingTimer);
      this.sock = null;
      if (!this.stopped) {
        this.lastError = this.lastError || `closed (${e.code} ${e.reason || ''})`.trim();
        this.retry();
      }
    };
  }

  /** Exponential backoff with jitter: 0.5 s, 1 s, 2 s ... up to 30 s, each between half and all of it. */
  retry() {
    if (this.stopped) return;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempt);
    const delay = Math.round(base / 2 + Math.random() * base / 2);
    this.attempt++;
    this.setState('reconnecting', { attempt: this.attempt, retryInMs: delay, error: this.lastError });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => { this.lastError = null; this.connect(); }, delay);
  }
}
