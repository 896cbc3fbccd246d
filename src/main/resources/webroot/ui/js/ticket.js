// The order ticket: one form for the six order types, showing the fields a type takes, checked here as the
// contract checks them (so most mistakes never reach the service) and then by the service, whose
// problem+json answer is shown field by field.

import { api } from './api.js';
import { isDecimal, isMultiple, compare, places, plain } from './decimal.js';
import { money } from './format.js';
import { clearErrors, fieldError, showProblem } from './errors.js';

const PRICE_FIELDS = ['price', 'stopPrice', 'trailAmount', 'pegOffset'];
/** Which price fields each type takes (the contract's table); price is optional for pegged. */
const NEEDS = {
  market: [], limit: ['price'], stop: ['stopPrice'], stop_limit: ['price', 'stopPrice'],
  trailing_stop: ['trailAmount'], pegged: ['pegOffset'],
};

const TIF_HINTS = {
  gtc: 'Good till cancelled', day: 'Until the end of the trading day', ioc: 'Immediate or cancel: the rest is cancelled',
  fok: 'Fill or kill: all at once or nothing', gtd: 'Good till the date below',
};

export class Ticket {
  constructor(store, { onSubmitted }) {
    this.store = store;
    this.onSubmitted = onSubmitted;
    this.form = document.getElementById('ticket');
    this.instrument = document.getElementById('t-instrument');
    this.type = document.getElementById('t-type');
    this.tif = document.getElementById('t-tif');
    this.error = document.getElementById('ticket-error');
    this.ok = document.getElementById('ticket-ok');
    this.submitButton = document.getElementById('t-submit');
    this.estimateBox = document.getElementById('estimate');
    this.form.addEventListener('change', () => this.refresh());
    this.form.addEventListener('input', () => this.estimate());
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.submit(); });
  }

  setInstruments(list) {
    this.instrument.replaceChildren(...list.filter(i => i.enabled).map(i => new Option(i.id, i.id)));
    this.refresh();
  }

  get side() { return this.form.querySelector('input[name="side"]:checked').value; }

  selectedInstrument() { return this.store.instruments.get(this.instrument.value); }

  /** Shows the fields the type and time in force take; hidden ones are disabled so they are never sent. */
  refresh() {
    const type = this.type.value;
    const tif = this.tif.value;
    for (const field of this.form.querySelectorAll('.field[data-types], .field[data-tifs]')) {
      const shown = field.dataset.types ? field.dataset.types.split(' ').includes(type)
        : field.dataset.tifs.split(' ').includes(tif);
      field.hidden = !shown;
      field.querySelectorAll('input').forEach(i => { i.disabled = !shown; });
    }
    for (const span of this.form.querySelectorAll('[data-label-for]')) {
      span.hidden = !span.dataset.labelFor.split(' ').includes(type);
    }
    const inst = this.selectedInstrument();
    document.getElementById('t-instrument-hint').textContent = inst
      ? `Tick ${plain(inst.tickSize)} · lot ${plain(inst.lotSize)} · min ${plain(inst.minQuantity)} · ref ${plain(inst.referencePrice)} ${inst.quoteCurrency}`
      : '';
    document.getElementById('t-tif-hint').textContent = TIF_HINTS[tif];
    const side = this.side;
    this.submitButton.textContent = `Submit ${side} order`;
    this.submitButton.classList.toggle('sell', side === 'sell');
    this.estimate();
  }

  value(name) {
    const input = this.form.elements[name];
    return input && !input.disabled ? input.value.trim() : '';
  }

  /** The contract's rules, checked before sending: field name -> message. */
  check() {
    const errors = {};
    const inst = this.selectedInstrument();
    if (!inst) { errors.instrumentId = 'Choose an instrument'; return errors; }
    const q = this.value('quantity');
    if (!q) errors.quantity = 'Quantity is required';
    else if (!isDecimal(q) || compare(q, '0') <= 0) errors.quantity = 'Quantity must be a positive number';
    else if (compare(q, inst.minQuantity) < 0) errors.quantity = `Quantity must be at least ${plain(inst.minQuantity)} for ${inst.id}`;
    else if (!isMultiple(q, inst.lotSize)) errors.quantity = `Quantity must be a multiple of the lot size ${plain(inst.lotSize)} for ${inst.id}`;
    const needs = NEEDS[this.type.value];
    for (const name of PRICE_FIELDS) {
      const field = this.form.querySelector(`.field[data-field="${name}"]`);
      if (field.hidden) continue;
      const v = this.value(name);
      const label = field.querySelector('label').textContent.replace(/\(.*\)/, '').trim();
      if (!v) { if (needs.includes(name)) errors[name] = `${label} is required for a ${this.type.value.replace('_', ' ')} order`; continue; }
      const signed = name === 'pegOffset';
      if (!isDecimal(v, signed) || (!signed && compare(v, '0') <= 0)) {
        errors[name] = signed ? 'Must be a number' : 'Must be a positive number';
      } else if (!isMultiple(v.replace(/^-/, ''), inst.tickSize)) {
        errors[name] = `Must be a multiple of the tick size ${plain(inst.tickSize)} for ${inst.id}`;
      }
    }
    if (this.tif.value === 'gtd') {
      const v = this.value('expiryDate');
      if (!v) errors.expiryDate = 'An expiry is required with GTD';
      else if (new Date(v).getTime() <= Date.now()) errors.expiryDate = 'The expiry must be in the future';
    }
    return errors;
  }

  /** The order's cost at the instrument's reference price, in the account currency (as the service estimates). */
  estimate() {
    const box = this.estimateBox;
    const inst = this.selectedInstrument();
    const account = this.store.account;
    const q = Number(this.value('quantity'));
    box.classList.remove('over');
    if (!inst || !account || !(q > 0)) { box.textContent = ''; return; }
    const ref = Number(inst.referencePrice);
    const tick = Number(inst.tickSize);
    const buy = this.side === 'buy';
    const num = (name) => Number(this.value(name));
    let px;
    switch (this.type.value) {
      case 'limit': case 'stop_limit': px = num('price'); break;
      case 'stop': px = buy ? Math.max(num('stopPrice'), ref) : Math.min(num('stopPrice') || ref, ref); break;
      case 'trailing_stop': px = buy ? ref + num('trailAmount') : Math.max(ref - num('trailAmount'), tick); break;
      case 'pegged': {
        px = Math.max(ref + num('pegOffset'), tick);
        const cap = num('price');
        if (cap > 0) px = buy ? Math.min(px, cap) : Math.max(px, cap);
        break;
      }
      default: px = ref;
    }
    const rate = this.rate(inst.quoteCurrency, account.currency);
    if (!(px > 0) || rate === null) { box.textContent = ''; return; }
    const cost = q * px * rate;
    const available = Number(account.available);
    if (!buy) {
      box.textContent = `Estimated proceeds ${money(cost, account.currency)} · a sell holds no funds`;
      return;
    }
    box.textContent = `Estimated cost ${money(cost, account.currency)} · available ${money(available, account.currency)}`;
    if (cost > available) {
      box.classList.add('over');
      box.textContent += ` · exceeds available funds by ${money(cost - available, account.currency)}`;
    }
  }

  /** A conversion rate from reference prices: direct, inverse, or crossed through USD; null if none. */
  rate(from, to, cross = true) {
    if (from === to) return 1;
    for (const i of this.store.instruments.values()) {
      if (i.assetClass !== 'fx') continue;
      if (i.baseCurrency === from && i.quoteCurrency === to) return Number(i.referencePrice);
      if (i.baseCurrency === to && i.quoteCurrency === from) return 1 / Number(i.referencePrice);
    }
    if (!cross || from === 'USD' || to === 'USD') return null;
    const a = this.rate(from, 'USD', false);
    const b = this.rate('USD', to, false);
    return a === null || b === null ? null : a * b;
  }

  body() {
    const body = {
      clientId: this.store.account.id, instrumentId: this.instrument.value, side: this.side,
      orderType: this.type.value, timeInForce: this.tif.value, quantity: this.value('quantity'),
    };
    for (const name of PRICE_FIELDS) if (this.value(name)) body[name] = this.value(name);
    if (this.value('expiryDate')) body.expiryDate = new Date(this.value('expiryDate')).toISOString();
    return body;
  }

  async submit() {
    clearErrors(this.form, this.error);
    this.ok.textContent = '';
    const errors = this.check();
    const names = Object.keys(errors);
    if (names.length) {
      names.forEach(n => fieldError(this.form, n, errors[n]));
      this.form.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    this.submitButton.disabled = true;
    try {
      const res = await api('POST', '/orders', { body: this.body() });
      const order = res.body;
      this.ok.textContent = `Order ${order.orderRef} accepted (${order.status.replace('_', ' ')}).`;
      this.onSubmitted(order);
    } catch (e) {
      const first = showProblem(this.form, this.error, e.problem, e.message);
      first?.focus();
    } finally {
      this.submitButton.disabled = false;
    }
  }
}
