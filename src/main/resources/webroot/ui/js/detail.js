// One order in a dialog: its terms, fills, modification history and audit trail, with modify (PUT with
// If-Match: the version shown, so a change made meanwhile is refused rather than overwritten) and cancel.

import { api, get, query } from './api.js';
import { el, price, qty, statusLabel, time } from './format.js';
import { places, isDecimal } from './decimal.js';
import { clearErrors, fieldError, showProblem } from './errors.js';
import { cancellable, modifiable } from './blotter.js';

/** The fields PUT /orders/{id} may change, by order type. */
const MODIFIABLE = {
  market: [], limit: ['price'], stop: ['stopPrice'], stop_limit: ['price', 'stopPrice'],
  trailing_stop: ['trailAmount'], pegged: ['price', 'pegOffset'],
};
const LABELS = { quantity: 'Quantity', price: 'Price', stopPrice: 'Stop price', trailAmount: 'Trail amount',
  pegOffset: 'Peg offset', expiryDate: 'Expiry' };

export class Detail {
  constructor(store, { onOrder }) {
    this.store = store;
    this.onOrder = onOrder;
    this.dialog = document.getElementById('detail');
    this.bodyEl = document.getElementById('detail-body');
    this.orderId = null;
    document.getElementById('detail-close').addEventListener('click', () => this.dialog.close());
    this.dialog.addEventListener('close', () => { this.orderId = null; this.returnFocus?.focus(); });
  }

  async open(id, focusModify) {
    this.returnFocus = document.activeElement;
    this.orderId = id;
    this.bodyEl.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
    if (!this.dialog.open) this.dialog.showModal();
    await this.reload();
    if (focusModify) this.bodyEl.querySelector('#m-quantity')?.focus();
  }

  /** An order event: the dialog follows the order it shows. */
  onEvent(event) {
    const orderId = event.type === 'trade.executed' ? event.data.orderId : event.data.id;
    if (this.orderId && orderId === this.orderId) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.reload(), 200);
    }
  }

  async reload() {
    const id = this.orderId;
    if (!id) return;
    try {
      const [order, fills, history, audit] = await Promise.all([
        get(`/orders/${id}`), get(`/orders/${id}/fills`), get(`/orders/${id}/history`), get(`/orders/${id}/audit`)]);
      if (id !== this.orderId) return;
      const keep = this.bodyEl.querySelector('.modify') && this.bodyEl.contains(document.activeElement)
        ? document.activeElement.id : null;
      this.render(order, list(fills), list(history), list(audit));
      if (keep) document.getElementById(keep)?.focus();
      this.onOrder(order);
    } catch (e) {
      this.bodyEl.replaceChildren(el('p', { class: 'error', role: 'alert' }, `The order could not be loaded: ${e.message}`));
    }
  }

  render(o, fills, history, audit) {
    const inst = this.store.instruments.get(o.instrumentId);
    const dp = inst ? places(inst.tickSize) : undefined;
    document.getElementById('detail-title').textContent = `Order ${o.orderRef}`;
    const kv = (k, v) => el('div', {}, el('dt', {}, k), el('dd', {}, v ?? '—'));
    const terms = el('dl', { class: 'kv' },
      kv('Status', el('span', { class: `chip ${o.status}`, 'data-col': 'status' }, statusLabel(o.status))),
      kv('Instrument', o.instrumentId), kv('Side', o.side), kv('Type / TIF', `${o.orderType} · ${o.timeInForce}`),
      kv('Quantity', qty(o.quantity)), kv('Filled', qty(o.filledQuantity)), kv('Remaining', qty(o.remainingQuantity)),
      kv('Average fill', price(o.averagePrice, dp)), kv('Price', price(o.price, dp)), kv('Stop price', price(o.stopPrice, dp)),
      kv('Trail amount', price(o.trailAmount, dp)), kv('Peg offset / price', `${price(o.pegOffset, dp)} / ${price(o.pegPrice, dp)}`),
      kv('Expiry', o.expiryDate ? time(o.expiryDate) : '—'), kv('Routing', o.routingStrategy + (o.lpId ? ` (${o.lpId})` : '')),
      kv('Version', String(o.version)), kv('Created', time(o.createdAt)), kv('Updated', time(o.updatedAt)),
      kv('Client order id', o.clientOrderId), kv('Reject', o.rejectCode || o.rejectReason ? `${o.rejectCode ?? ''} ${o.rejectReason ?? ''}`.trim() : '—'));
    const parts = [terms];
    if (modifiable(o) || cancellable(o)) parts.push(this.actions(o));
    parts.push(section('Fills', ['Executed', 'Quantity', 'Price', 'Fee'], fills.map(f =>
      [time(f.executedAt), qty(f.quantity), price(f.price, dp), `${f.fee} ${f.feeCurrency}`]), 'No fills.'));
    parts.push(section('Modification history', ['When', 'Kind', 'Requested', 'Previous', 'Status', 'By', 'Reason'],
      history.map(h => [time(h.createdAt), h.kind, compact(h.requested), compact(h.previous), h.status, h.requestedBy, h.reason ?? '']),
      'No modify or cancel requests.'));
    parts.push(section('Audit trail', ['When', 'Event', 'From → to', 'Actor', 'Details'], audit.map(a =>
      [time(a.createdAt), a.eventType, `${a.fromStatus ?? '—'} → ${a.toStatus ?? '—'}`, a.actor,
        el('div', { class: 'details-json' }, compact(a.details))]), 'No entries.'));
    this.bodyEl.replaceChildren(...parts);
  }

  actions(o) {
    const wrap = el('div', { class: 'detail-section' });
    if (modifiable(o)) {
      const fields = ['quantity', ...MODIFIABLE[o.orderType], ...(o.timeInForce === 'gtd' ? ['expiryDate'] : [])];
      const form = el('form', { class: 'modify', novalidate: true, 'aria-labelledby': 'modify-title' });
      for (const name of fields) {
        const current = name === 'expiryDate' ? toLocalInput(o.expiryDate) : (o[name] ?? '');
        form.append(el('div', { class: 'field', 'data-field': name },
          el('label', { for: `m-${name}` }, LABELS[name]),
          el('input', { id: `m-${name}`, name, value: String(current), type: name === 'expiryDate' ? 'datetime-local' : 'text',
            step: name === 'expiryDate' ? '1' : null, inputmode: name === 'expiryDate' ? null : 'decimal',
            'aria-describedby': `m-${name}-err` }),
          el('p', { class: 'field-error', id: `m-${name}-err` })));
      }
      const error = el('p', { class: 'error form-error', role: 'alert' });
      form.append(el('button', { type: 'submit', class: 'primary' }, 'Modify'));
      form.addEventListener('submit', (e) => { e.preventDefault(); this.modify(o, form, error, fields); });
      wrap.append(el('h3', { id: 'modify-title' }, `Modify (version ${o.version})`), form, error);
    }
    if (cancellable(o)) {
      const msg = el('p', { class: 'error', role: 'alert' });
      wrap.append(el('p', {}, el('button', { type: 'button', id: 'detail-cancel', onclick: async (e) => {
        e.currentTarget.disabled = true;
        try {
          const res = await api('DELETE', `/orders/${o.id}` + query({ reason: 'cancelled from the trader UI' }));
          this.onOrder(res.body);
          await this.reload();
        } catch (err) {
          msg.textContent = `Cancel refused: ${err.message}`;
          e.target.disabled = false;
        }
      } }, 'Cancel order')), msg);
    }
    return wrap;
  }

  async modify(o, form, error, fields) {
    clearErrors(form, error);
    const body = {};
    for (const name of fields) {
      const v = form.elements[name].value.trim();
      if (name === 'expiryDate') {
        if (v && v !== toLocalInput(o.expiryDate)) body.expiryDate = new Date(v).toISOString();
      } else if (v !== '' && v !== String(o[name] ?? '')) {
        if (!isDecimal(v, name === 'pegOffset')) { fieldError(form, name, 'Must be a number'); continue; }
        body[name] = v;
      }
    }
    if (form.querySelector('[aria-invalid="true"]')) return;
    if (Object.keys(body).length === 0) { error.textContent = 'Change at least one field.'; return; }
    try {
      const res = await api('PUT', `/orders/${o.id}`, { body, headers: { 'If-Match': `"${o.version}"` } });
      this.onOrder(res.body);
      await this.reload();
    } catch (e) {
      if (e.status === 412) {
        error.textContent = 'The order changed meanwhile; it has been reloaded: check it and modify again.';
        await this.reload();
        return;
      }
      showProblem(form, error, e.problem, e.message)?.focus();
    }
  }
}

function list(page) { return Array.isArray(page) ? page : (page?.data ?? []); }

function compact(obj) {
  if (!obj || typeof obj !== 'object') return String(obj ?? '');
  return Object.entries(obj).map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : v}`).join(', ');
}

function section(title, headers, rows, empty) {
  const s = el('section', { class: 'detail-section' }, el('h3', {}, title));
  if (rows.length === 0) { s.append(el('p', { class: 'muted' }, empty)); return s; }
  s.append(el('div', { class: 'table-wrap' }, el('table', {},
    el('thead', {}, el('tr', {}, headers.map(h => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.map(r => el('tr', {}, r.map(c => el('td', {}, c))))))));
  return s;
}

function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
