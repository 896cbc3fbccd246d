// Exact decimal checks for the order ticket: tick and lot rules are "a multiple of", which binary floating
// point cannot answer (0.3 / 0.1 is not 3), so values are compared as scaled integers.

const DECIMAL = /^[0-9]{1,20}(\.[0-9]{1,12})?$/;
const SIGNED = /^-?[0-9]{1,20}(\.[0-9]{1,12})?$/;

/** True for what the contract accepts as a decimal string (signed when asked). */
export function isDecimal(text, signed = false) {
  return (signed ? SIGNED : DECIMAL).test(text);
}

function scaled(text) {
  const s = String(text);
  const neg = s.startsWith('-');
  const [int, frac = ''] = (neg ? s.slice(1) : s).split('.');
  return { digits: BigInt(int + frac) * (neg ? -1n : 1n), scale: frac.length };
}

/** Plain text of a number as the API prints it (JSON numbers may come back in exponent form). */
export function plain(value) {
  if (typeof value === 'string') return value;
  const s = String(value);
  if (!/e/i.test(s)) return s;
  return value.toFixed(12).replace(/\.?0+$/, '');
}

/** Whether {@code value} is a whole multiple of {@code step} (both decimal strings or numbers). */
export function isMultiple(value, step) {
  const a = scaled(plain(value));
  const b = scaled(plain(step));
  const scale = Math.max(a.scale, b.scale);
  const av = a.digits * 10n ** BigInt(scale - a.scale);
  const bv = b.digits * 10n ** BigInt(scale - b.scale);
  return bv !== 0n && av % bv === 0n;
}

/** a compared with b: -1, 0 or 1. */
export function compare(a, b) {
  const x = scaled(plain(a));
  const y = scaled(plain(b));
  const scale = Math.max(x.scale, y.scale);
  const xv = x.digits * 10n ** BigInt(scale - x.scale);
  const yv = y.digits * 10n ** BigInt(scale - y.scale);
  return xv < yv ? -1 : xv > yv ? 1 : 0;
}

/** Decimal places of a step such as a tick size (0.00001 gives 5). */
export function places(step) {
  const s = plain(step);
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}
