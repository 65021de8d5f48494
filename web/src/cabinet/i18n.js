// The cabinet's languages: the brand's default, or the visitor's choice (kept per host),
// or, once signed in, the person's own `User.language`. Texts come from messages.js;
// a language without a text falls back to English.
import { signal } from '@preact/signals';
import { messages } from './messages.js';

/** The languages of `User.language` (the API's `Language` enum, lower-cased). */
export const LANGUAGES = [
  ['en', 'English'],
  ['ru', 'Русский'],
  ['es', 'Español'],
  ['pt', 'Português'],
  ['de', 'Deutsch'],
  ['it', 'Italiano'],
  ['fr', 'Français'],
];
const CHOICE = 'pgw.lang';

export const lang = signal('en');

/** Picks the language: `?lang=`, then the visitor's saved choice, then the brand's. */
export function initialLanguage(brandDefault) {
  const wanted = new URLSearchParams(window.location.search).get('lang');
  const saved = localStorage.getItem(CHOICE);
  const pick = [wanted, saved, brandDefault, 'en'].find((l) => l && LANGUAGES.some(([c]) => c === l));
  setLanguage(pick, Boolean(wanted));
}

export function setLanguage(code, remember = true) {
  const l = (code || 'en').toLowerCase();
  if (remember) localStorage.setItem(CHOICE, l);
  lang.value = l;
  document.documentElement.lang = l;
}

/** The text `key` in the current language, with `{name}` placeholders filled from `vars`. */
export function t(key, vars) {
  const text = messages[lang.value]?.[key] ?? messages.en[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? '').toString());
}

/** A decimal string from the API as money in the brand's currency (display only). */
export function money(amount, currency) {
  if (amount == null || amount === '') return '—';
  const n = Number(amount);
  if (!currency) return n.toLocaleString(lang.value, { minimumFractionDigits: 2 });
  return new Intl.NumberFormat(lang.value, { style: 'currency', currency }).format(n);
}

export function date(value) {
  if (!value) return '—';
  return new Intl.DateTimeFormat(lang.value, { dateStyle: 'medium' }).format(new Date(value));
}

export function dateTime(value) {
  if (!value) return '—';
  return new Intl.DateTimeFormat(lang.value, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(value));
}

/** An API enum value (`EXPIRING`) in words, if the catalog has it. */
export function label(prefix, value) {
  if (!value) return '—';
  const key = `${prefix}.${value}`;
  const text = t(key);
  return text === key ? value.toLowerCase().replace(/_/g, ' ') : text;
}
