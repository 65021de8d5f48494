// Small pieces every page uses: fields with their error, alerts, a loader hook, a pager.
import { html } from 'htm/preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { t } from './i18n.js';

export { html };

let ids = 0;
const nextId = () => `f${++ids}`;

/** An API error in the person's language when the catalog knows it (by code and field, then
 * by code); otherwise the API's own message, which is English (docs/decisions.md). */
export function errorText(err) {
  if (!err) return '';
  for (const key of [err.field && `error.${err.code}.${err.field}`, `error.${err.code}`]) {
    if (key && t(key) !== key) return t(key);
  }
  return err.message || t('error.generic');
}

/** A labelled input; `error` is an ApiError whose `field` is `name`. */
export function Field({ label, name, error, hint, as = 'input', children, ...rest }) {
  const id = useRef(nextId()).current;
  const mine = error && error.field === name;
  const errId = `${id}-err`;
  const props = {
    id,
    name,
    'aria-invalid': mine ? 'true' : undefined,
    'aria-describedby': mine ? errId : undefined,
    ...rest,
  };
  const control =
    as === 'select'
      ? html`<select ...${props}>${children}</select>`
      : as === 'textarea'
        ? html`<textarea ...${props}></textarea>`
        : html`<input ...${props} />`;
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${control}
    ${hint && html`<span class="hint">${hint}</span>`}
    ${mine && html`<div class="field-error" id=${errId}>${errorText(error)}</div>`}
  </div>`;
}

/** An error not tied to a field shown on the form (`role=alert` announces it). */
export function FormError({ error, fields = [] }) {
  if (!error || (error.field && fields.includes(error.field))) return null;
  return html`<div class="alert error" role="alert">${errorText(error)}</div>`;
}

export function Notice({ children }) {
  if (!children) return null;
  return html`<div class="alert ok" role="status">${children}</div>`;
}

/** Loads with `fn` when `deps` change: `{ data, error, loading, reload }`. */
export function useLoad(fn, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const seq = useRef(0);
  const reload = useCallback(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    fn().then(
      (data) => mine === seq.current && setState({ data, error: null, loading: false }),
      (error) => mine === seq.current && setState({ data: null, error, loading: false }),
    );
  }, deps);
  useEffect(reload, [reload]);
  return { ...state, reload };
}

/** Runs a mutation from a form: `[run, { busy, error, done }]`. */
export function useAction(fn) {
  const [state, setState] = useState({ busy: false, error: null, done: null });
  const run = async (...args) => {
    setState({ busy: true, error: null, done: null });
    try {
      const done = await fn(...args);
      setState({ busy: false, error: null, done });
      return done;
    } catch (error) {
      setState({ busy: false, error, done: null });
      return undefined;
    }
  };
  return [run, state, setState];
}

export function Loading({ state, children }) {
  if (state.error) return html`<div class="alert error" role="alert">${errorText(state.error)}</div>`;
  if (state.loading && !state.data) return html`<p class="muted" aria-busy="true">${t('common.loading')}</p>`;
  return children(state.data);
}

/** Cursor pages: "previous", "next", and the total. */
export function Pager({ page, onPrev, onNext, total }) {
  const info = page?.pageInfo;
  if (!info) return null;
  return html`<div class="pager">
    <button class="secondary" type="button" disabled=${!info.hasPreviousPage} onClick=${onPrev}>${t('common.previous')}</button>
    <button class="secondary" type="button" disabled=${!info.hasNextPage} onClick=${onNext}>${t('common.next')}</button>
    ${total != null && html`<span class="muted">${t('common.total', { n: total })}</span>`}
  </div>`;
}

/** Pages of a newest-first list read with `last`/`before`: `cursor` is the stack of
 * `before` cursors, `[null]` on the newest page. */
export function NewerOlder({ page, cursor, setCursor }) {
  return html`<div class="pager">
    <button class="secondary" type="button" disabled=${cursor.length === 1} onClick=${() => setCursor(cursor.slice(0, -1))}>${t('common.newer')}</button>
    <button class="secondary" type="button" disabled=${!page.pageInfo.hasPreviousPage} onClick=${() => setCursor([...cursor, page.pageInfo.startCursor])}>${t('common.older')}</button>
    <span class="muted">${t('common.total', { n: page.totalCount })}</span>
  </div>`;
}

export function Badge({ value, text }) {
  return html`<span class=${`badge ${value || ''}`}>${text}</span>`;
}

/** `url` if it is an http(s) address, else null: data from the API or the address bar
 * never becomes a `javascript:` link. */
export function safeHref(url) {
  if (!url) return null;
  try {
    const u = new URL(url, window.location.href);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** A partner's page: rendered only for an approved partner (hooks stay unconditional). */
export function partnerOnly(Page) {
  return function PartnerPage(props) {
    if (props.partner) return html`<${Page} ...${props} />`;
    return html`<main class="page" id="main"><p class="alert error" role="alert">${t('partner.only')}</p></main>`;
  };
}

/** A key for `idempotencyKey`: one per intent, so a retried click never doubles money. */
export function idempotencyKey() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}
