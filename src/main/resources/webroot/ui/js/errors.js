// Shows a problem+json answer on a form: each bad field next to its input, the rest as one form-level message.

/** Problem codes that are about the order's size though they name no field. */
const QUANTITY_CODES = new Set(['INSUFFICIENT_FUNDS', 'RISK_LIMIT_EXCEEDED']);

export function clearErrors(form, formError) {
  form.querySelectorAll('.field.invalid').forEach(f => f.classList.remove('invalid'));
  form.querySelectorAll('.field-error').forEach(p => { p.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach(i => i.removeAttribute('aria-invalid'));
  if (formError) formError.textContent = '';
}

/** Marks one field; false when the form has no visible field of that name. */
export function fieldError(form, name, message) {
  const field = form.querySelector(`.field[data-field="${CSS.escape(name)}"]`);
  if (!field || field.hidden) return false;
  field.classList.add('invalid');
  const p = field.querySelector('.field-error');
  p.textContent = p.textContent ? p.textContent + ' ' + message : message;
  field.querySelectorAll('input, select').forEach(i => i.setAttribute('aria-invalid', 'true'));
  return true;
}

/** Puts a problem on the form. Returns the first invalid input, for focus. */
export function showProblem(form, formError, problem, fallback) {
  const unplaced = [];
  const errors = Array.isArray(problem.errors) ? problem.errors : [];
  for (const e of errors) {
    if (!fieldError(form, e.field, e.message)) unplaced.push(`${e.field}: ${e.message}`);
  }
  if (errors.length === 0) {
    const text = problem.detail || problem.title || fallback;
    if (!(QUANTITY_CODES.has(problem.code) && fieldError(form, 'quantity', text))) unplaced.push(text);
  }
  formError.textContent = unplaced.length ? unplaced.join(' · ')
    : (errors.length > 1 ? `${problem.detail || 'The request has invalid fields'}: see the marked fields.` : '');
  return form.querySelector('[aria-invalid="true"]');
}
