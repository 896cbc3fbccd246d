// Display helpers. Amounts are shown, never computed with, except for the ticket's estimate.
import { plain } from './decimal.js';

const SYMBOLS = { USD: '$', EUR: '€', GBP: '£', JPY: '¥' };
const MINOR = { JPY: 0 };

export function money(amount, currency) {
  if (amount === null || amount === undefined || amount === '') return '—';
  const n = Number(amount);
  const digits = MINOR[currency] ?? 2;
  const text = Math.abs(n).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const sym = SYMBOLS[currency];
  const sign = n < 0 ? '−' : '';
  return sym ? `${sign}${sym}${text}` : `${sign}${text} ${currency ?? ''}`.trim();
}

export function qty(value) {
  if (value === null || value === undefined) return '—';
  const s = plain(value);
  const [int, frac] = s.split('.');
  const grouped = Number(int).toLocaleString('en-US');
  return frac ? `${grouped}.${frac}` : grouped;
}

export function price(value, decimals) {
  if (value === null || value === undefined) return '—';
  const n = Number(value);
  return decimals === undefined ? plain(value)
    : n.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: Math.max(decimals, 8) });
}

/** Today's times as hh:mm:ss, older ones with their date. */
export function shortTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString('en-GB', { hour12: false })
    : d.toLocaleString('en-GB', { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
}

export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString('en-GB', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit',
    minute: '2-digit', second: '2-digit', hour12: false });
}

export function statusLabel(status) {
  return String(status ?? '').replace(/_/g, ' ');
}

/** Text-only DOM builder: every value goes through textContent, never innerHTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}
