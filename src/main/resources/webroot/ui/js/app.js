// The trader screen: sign-in, then the desk (ticket, blotter, positions, balance, LPs) kept live by the
// event stream, and by polling every 5 s while the stream is down.

import { api, get, session, whenUnauthorized } from './api.js';
import { EventStream } from './stream.js';
import { Ticket } from './ticket.js';
import { Blotter } from './blotter.js';
import { Detail } from './detail.js';
import { Panels } from './panels.js';

const POLL_MS = 5000;
const LP_REFRESH_MS = 5000;

const store = { claims: null, accounts: [], account: null, instruments: new Map() };
const $ = (id) => document.getElementById(id);

const panels = new Panels(store);
const blotter = new Blotter(store, { onOpen: (id, modify) => detail.open(id, modify), onMessage: notice });
const detail = new Detail(store, { onOrder: (o) => blotter.apply(o) });
const ticket = new Ticket(store, { onSubmitted: (o) => { blotter.apply(o); } });

let stream = null;
let pollTimer = null;
let lpTimer = null;

// what a test or a curious user can look at from the console
window.orion = { store, get stream() { return stream; } };

function notice(text) {
  $('notice').textContent = text;
  clearTimeout(notice.timer);
  notice.timer = setTimeout(() => { $('notice').textContent = ''; }, 8000);
}

whenUnauthorized(() => signOut('Your token was refused or has expired. Sign in again.'));

async function showSignIn(message = '') {
  $('desk').hidden = true;
  $('session-bar').hidden = true;
  $('signin').hidden = false;
  $('signin-error').textContent = message;
  try {
    const res = await fetch('/ui/settings', { cache: 'no-store' });
    $('demo-signin').hidden = !(res.ok && (await res.json()).demoSignIn);
  } catch (e) {
    $('demo-signin').hidden = true;
  }
  $('token').focus();
}

$('signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const token = $('token').value.trim();
  if (!token) { $('signin-error').textContent = 'Paste a token first.'; return; }
  session.token = token;
  await enter();
});

$('demo-signin').addEventListener('click', async () => {
  try {
    const res = await fetch('/ui/demo-token', { method: 'POST', cache: 'no-store' });
    const body = await res.json();
    if (!res.ok) throw new Error(body.detail || `HTTP ${res.status}`);
    session.token = body.token;
    await enter();
  } catch (e) {
    $('signin-error').textContent = `Demo sign-in failed: ${e.message}`;
  }
});

$('signout').addEventListener('click', () => signOut(''));
$('account').addEventListener('change', () => selectAccount($('account').value));

function signOut(message) {
  stopLive();
  session.token = null;
  $('token').value = '';
  showSignIn(message);
}

async function enter() {
  const claims = session.claims();
  if (!claims || !claims.tenant || !claims.sub) {
    session.token = null;
    $('signin-error').textContent = 'That is not a token of this service (it needs sub and tenant claims).';
    return;
  }
  let accounts, instruments;
  try {
    [accounts, instruments] = await Promise.all([get('/accounts'), get('/instruments')]);
  } catch (e) {
    if (e.status !== 401) $('signin-error').textContent = `Sign-in failed: ${e.message}`;
    return;
  }
  store.claims = claims;
  store.accounts = accounts.data;
  store.instruments = new Map(instruments.data.map(i => [i.id, i]));
  $('token').value = '';
  $('signin').hidden = true;
  $('desk').hidden = false;
  $('session-bar').hidden = false;
  $('who').textContent = `${claims.sub} @ ${claims.tenant}`;
  $('account').replaceChildren(...store.accounts.map(a => new Option(`${a.name} (${a.currency})`, a.id)));
  ticket.setInstruments(instruments.data);
  blotter.setInstruments(instruments.data);
  refreshLps();
  clearInterval(lpTimer);
  lpTimer = setInterval(refreshLps, LP_REFRESH_MS);
  if (store.accounts.length === 0) {
    notice('No trading account belongs to this user: ask an admin to create one.');
    $('t-submit').disabled = true;
    setConnection('stopped', {});
    return;
  }
  await selectAccount(store.accounts[0].id);
}

async function selectAccount(id) {
  store.account = store.accounts.find(a => a.id === id);
  $('account').value = id;
  stopStream();
  await reloadAll();
  stream = new EventStream({
    tenant: store.claims.tenant, accounts: [id],
    onEvent: applyEvent,
    onState: setConnection,
    onResync: () => reloadAll(),
    onLive: ({ replayed }) => { if (!replayed) reloadAll(); },
  });
  stream.start();
}

/** Everything the screen shows for the account, over REST. */
async function reloadAll() {
  if (!store.account) return;
  const id = store.account.id;
  try {
    const account = await get(`/accounts/${id}`);
    if (store.account?.id !== id) return;
    Object.assign(store.account, account);
    panels.balance(account);
    ticket.estimate();
  } catch (e) { /* the stream or the next poll retries */ }
  await Promise.all([blotter.load(), panels.loadPositions().catch(() => {})]);
}

function applyEvent(event) {
  if (event.clientId !== store.account?.id) return;
  const type = event.type;
  if (type.startsWith('order.')) {
    blotter.apply(event.data);
    detail.onEvent(event);
  } else if (type === 'trade.executed') {
    detail.onEvent(event);
  } else if (type.startsWith('position.')) {
    panels.position(event.data);
  } else if (type === 'balance.updated') {
    panels.balance(event.data);
    ticket.estimate();
  }
}

function refreshLps() {
  panels.loadLps().catch(() => {});
}

const STATE_TEXT = {
  connecting: () => 'Connecting…',
  live: () => 'Live',
  reconnecting: (d) => `Reconnecting${d.retryInMs ? ` in ${Math.ceil(d.retryInMs / 1000)} s` : ''} · polling every 5 s`,
  stopped: () => 'Not connected',
};

/** The indicator, and polling while the stream is not live. */
function setConnection(state, detail) {
  const conn = $('conn');
  conn.dataset.state = state;
  $('conn-text').textContent = STATE_TEXT[state](detail);
  conn.title = state === 'live' ? `Live updates (connection ${detail.connections})`
    : (detail.error ? `Last error: ${detail.error}` : '');
  if (state === 'live' || state === 'stopped') {
    clearInterval(pollTimer);
    pollTimer = null;
  } else if (!pollTimer) {
    pollTimer = setInterval(reloadAll, POLL_MS);
  }
}

function stopStream() {
  if (stream) stream.stop();
  stream = null;
  clearInterval(pollTimer);
  pollTimer = null;
}

function stopLive() {
  stopStream();
  clearInterval(lpTimer);
  lpTimer = null;
  if ($('detail').open) $('detail').close();
}

if (session.token) enter().then(() => { if ($('desk').hidden) showSignIn($('signin-error').textContent); });
else showSignIn();
