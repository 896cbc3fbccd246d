// The blotter: one page of the account's orders (GET /orders with the contract's filters and paging),
// patched in place by order events and reloaded when an order it does not show may belong on the page.

import { api, get, query } from './api.js';
import { el, price, qty, statusLabel, shortTime, time } from './format.js';
import { places } from './decimal.js';

const LIMIT = 15;
const FINAL = new Set(['filled', 'cancelled', 'rejected', 'expired']);
export const cancellable = (o) => !FINAL.has(o.status) && o.status !== 'pending_cancel';
export const modifiable = (o) => !FINAL.has(o.status) && o.status !== 'pending_cancel' && o.status !== 'pending_replace';

export class Blotter {
  constructor(store, { onOpen, onMessage }) {
    this.store = store;
    this.onOpen = onOpen;
    this.onMessage = onMessage;
    this.page = 1;
    this.totalPages = 1;
    this.rows = new Map(); // order id -> order shown
    this.loadSeq = 0;
    this.body = document.getElementById('orders-body');
    this.filters = document.getElementById('filters');
    this.filters.addEventListener('change', () => { this.page = 1; this.load(); });
    this.filters.addEventListener('reset', () => setTimeout(() => { this.page = 1; this.load(); }));
    document.getElementById('page-prev').addEventListener('click', () => { if (this.page > 1) { this.page--; this.load(); } });
    document.getElementById('page-next').addEventListener('click', () => { if (this.page < this.totalPages) { this.page++; this.load(); } });
  }

  setInstruments(list) {
    const select = document.getElementById('f-instrument');
    select.replaceChildren(new Option('All', ''), ...list.map(i => new Option(i.id, i.id)));
  }

  params() {
    const f = this.filters.elements;
    const day = (value, end) => {
      if (!value) return '';
      const [y, m, d] = value.split('-').map(Number);
      return (end ? new Date(y, m - 1, d, 23, 59, 59, 999) : new Date(y, m - 1, d)).toISOString();
    };
    return {
      clientId: this.store.account?.id, statuses: f.statuses.value, instrumentId: f.instrumentId.value,
      side: f.side.value, fromDate: day(f.fromDate.value, false), toDate: day(f.toDate.value, true),
      page: this.page, limit: LIMIT,
    };
  }

  async load() {
    if (!this.store.account) return;
    const seq = ++this.loadSeq;
    try {
      const page = await get('/orders' + query(this.params()));
      if (seq !== this.loadSeq) return; // a newer load is on its way
      this.totalPages = Math.max(1, page.totalPages);
      if (this.page > this.totalPages) { this.page = this.totalPages; return this.load(); }
      this.rows = new Map(page.data.map(o => [o.id, o]));
      this.body.replaceChildren(...page.data.map(o => this.row(o)));
      document.getElementById('orders-empty').hidden = page.data.length > 0;
      document.getElementById('page-info').textContent = `Page ${page.page} of ${this.totalPages}`;
      document.getElementById('blotter-count').textContent = `${page.total} order${page.total === 1 ? '' : 's'}`;
      document.getElementById('page-prev').disabled = this.page <= 1;
      document.getElementById('page-next').disabled = this.page >= this.totalPages;
    } catch (e) {
      this.onMessage(`Orders could not be loaded: ${e.message}`);
    }
  }

  /** Reloads once, shortly, however many events ask for it. */
  reloadSoon() {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => this.load(), 250);
  }

  /** An order from an event or an answer: patched in place (never with an older version) or a reload. */
  apply(order) {
    const shown = this.rows.get(order.id);
    if (!shown) { this.reloadSoon(); return; }
    if (order.version < shown.version) return;
    this.rows.set(order.id, order);
    const old = this.body.querySelector(`tr[data-order-id="${order.id}"]`);
    if (!old) return;
    const row = this.row(order);
    if (order.status !== shown.status || order.filledQuantity !== shown.filledQuantity) row.classList.add('flash');
    // keep keyboard focus on the same action when the row is replaced under it
    const focused = old.contains(document.activeElement) ? document.activeElement.dataset.action : null;
    old.replaceWith(row);
    if (focused) row.querySelector(`[data-action="${focused}"]`)?.focus();
  }

  row(o) {
    const inst = this.store.instruments.get(o.instrumentId);
    const dp = inst ? places(inst.tickSize) : undefined;
    const limit = o.orderType === 'pegged' ? (o.pegPrice ?? o.price) : o.orderType === 'trailing_stop' ? o.stopPrice
      : o.orderType === 'stop' ? o.stopPrice : o.price;
    const priceText = o.orderType === 'market' ? 'MKT'
      : o.orderType === 'stop_limit' ? `${price(o.stopPrice, dp)} → ${price(o.price, dp)}` : price(limit, dp);
    const actions = el('td', { class: 'row-actions' },
      el('button', { type: 'button', class: 'small', 'data-action': 'details', 'aria-label': `Details of ${o.orderRef}`,
        onclick: () => this.onOpen(o.id, false) }, 'Details'),
      modifiable(o) ? el('button', { type: 'button', class: 'small', 'data-action': 'modify',
        'aria-label': `Modify ${o.orderRef}`, onclick: () => this.onOpen(o.id, true) }, 'Modify') : null,
      cancellable(o) ? el('button', { type: 'button', class: 'small', 'data-action': 'cancel',
        'aria-label': `Cancel ${o.orderRef}`, onclick: (e) => this.cancel(o, e.currentTarget) }, 'Cancel') : null);
    return el('tr', { 'data-order-id': o.id, 'data-status': o.status },
      el('td', { title: time(o.createdAt) }, shortTime(o.createdAt)),
      el('td', { class: 'ref' }, o.orderRef),
      el('td', {}, o.instrumentId),
      el('td', { class: o.side }, o.side),
      el('td', {}, `${o.orderType.replace('_', ' ')} · ${o.timeInForce.toUpperCase()}`),
      el('td', { class: 'num' }, qty(o.quantity)),
      el('td', { class: 'num', 'data-col': 'filled' }, qty(o.filledQuantity)),
      el('td', { class: 'num', 'data-col': 'remaining' }, qty(o.remainingQuantity)),
      el('td', { class: 'num' }, priceText),
      el('td', { class: 'num' }, price(o.averagePrice, dp)),
      el('td', {}, el('span', { class: `chip ${o.status}`, 'data-col': 'status', title: o.rejectReason || null },
        statusLabel(o.status))),
      actions);
  }

  async cancel(order, button) {
    button.disabled = true;
    try {
      const res = await api('DELETE', `/orders/${order.id}` + query({ reason: 'cancelled from the trader UI' }));
      this.apply(res.body);
      this.onMessage(`Cancel of ${order.orderRef}: ${statusLabel(res.body.status)}.`);
    } catch (e) {
      button.disabled = false;
      this.onMessage(`Cancel of ${order.orderRef} refused: ${e.message}`);
    }
  }
}

