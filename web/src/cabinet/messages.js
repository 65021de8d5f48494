// The cabinet's texts per language (locales/*.json, the same keys in each; `node build.mjs`
// refuses a catalog with a key missing or a key the code uses that English lacks).
import en from './locales/en.json';
import ru from './locales/ru.json';

export const messages = { en, ru };
