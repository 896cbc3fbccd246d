// Balance, positions and LP health panels.

import { get } from './api.js';
import { el, money, price, qty } from './format.js';
import { places } from './decimal.js';

export class Panels {
  constructor(store) {
    this.store = store;
    this.positions = new Map(); // instrument -> position
  }

  /** An account or a balance.updated event's data. */
  balance(b) {
    const ccy = b.currency || this.store.account?.currency;
    if (this.store.account && b.clientId && b.clientId !== this.store.account.id) return;
    if (this.store.account) Object.assign(this.store.account, { balance: b.balance, reserved: b.reserved, available: b.available });
    document.getElementById('bal-balance').textContent = money(b.balance, ccy);
    document.getElementById('bal-reserved').textContent = money(b.reserved, ccy);
    document.getElementById('bal-available').textContent = money(b.available, ccy);
  }

  async loadPositions() {
    if (!this.store.account) return;
    const page = await get(`/accounts/${this.store.account.id}/positions`);
    this.positions = new Map(page.data.map(p => [p.instrumentId, p]));
    this.renderPositions();
  }

  /** A position.* event: quantity, average and realized P&L now; the mark comes with the next load. */
  position(p) {
    const known = this.positions.get(p.instrumentId) || {};
    this.positions.set(p.instrumentId, { ...known, ...p });
    this.renderPositions();
    clearTimeout(this.positionsTimer);
    this.positionsTimer = setTimeout(() => this.loadPositions().catch(() => {}), 300);
  }

  renderPositions() {
    const body = document.getElementById('positions-body');
    const rows = [...this.positions.values()].sort((a, b) => a.instrumentId.localeCompare(b.instrumentId));
    body.replaceChildren(...rows.map(p => {
      const inst = this.store.instruments.get(p.instrumentId);
      const dp = inst ? places(inst.tickSize) : undefined;
      const ccy = inst?.quoteCurrency;
      const pnl = (v) => el('td', { class: 'num ' + (Number(v) > 0 ? 'pos' : Number(v) < 0 ? 'neg' : '') },
        v === null || v === undefined ? '—' : money(v, ccy));
      return el('tr', { 'data-instrument': p.instrumentId },
        el('td', {}, p.instrumentId), el('td', { class: 'num', 'data-col': 'quantity' }, qty(p.quantity)),
        el('td', { class: 'num' }, price(p.averagePrice, dp)), el('td', { class: 'num' }, price(p.markPrice, dp)),
        pnl(p.unrealizedPnl), pnl(p.realizedPnl));
    }));
    document.getElementById('positions-empty').hidden = rows.length > 0;
  }

  async loadLps() {
    const page = await get('/lps');
    document.getElementById('lps-body').replaceChildren(...page.data.map(lp => el('tr', { 'data-lp': lp.lpId },
      el('td', { title: lp.healthy ? 'Routing sends it orders' : 'Routing does not send it orders now' },
        `${lp.name || lp.lpId} `, el('span', { class: lp.healthy ? 'muted' : 'neg' }, lp.healthy ? '' : '(unhealthy)')),
      el('td', {}, lp.connected ? 'connected' : 'disconnected'),
      el('td', {}, el('span', { class: `chip ${lp.circuit}`, 'data-col': 'circuit' }, lp.circuit.replace('_', ' '))),
      el('td', { class: 'num' }, lp.lastQuoteAgeMs === null || lp.lastQuoteAgeMs === undefined ? '—' : `${lp.lastQuoteAgeMs} ms`),
      el('td', { class: 'num' }, String(lp.failures)),
      el('td', { class: 'num' }, `${us(lp.latencyP50Us)} / ${us(lp.latencyP99Us)}`))));
    document.getElementById('lps-updated').textContent = `updated ${new Date().toLocaleTimeString('en-GB')}`;
  }
}

function us(v) {
  if (v === undefined || v === null || v < 0) return '—';
  return v >= 1000 ? `${(v / 1000).toFixed(1)} ms` : `${v} µs`;
}
