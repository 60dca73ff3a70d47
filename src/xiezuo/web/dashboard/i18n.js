// Labels from a JSON catalogue per language (i18n/en.json, i18n/zh.json); the choice
// is kept in localStorage, and the browser's language decides the first time.

const LANGUAGE_KEY = 'xiezuo.language';
export const LANGUAGES = ['en', 'zh'];
let catalogue = {};
let language = 'en';

export function currentLanguage() {
  return language;
}

export async function loadLanguage(wanted) {
  const stored = wanted || localStorage.getItem(LANGUAGE_KEY);
  const guess = (navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en';
  language = LANGUAGES.includes(stored) ? stored : guess;
  const response = await fetch(`/dashboard/i18n/${language}.json`);
  catalogue = await response.json();
  localStorage.setItem(LANGUAGE_KEY, language);
  document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
  document.title = catalogue['app.title'];
}

// The label for `key` with {name} placeholders filled in; the key itself if missing,
// so a forgotten label shows up on the page rather than as a blank.
export function t(key, params = {}) {
  const text = catalogue[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}
