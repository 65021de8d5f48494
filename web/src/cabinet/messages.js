// The cabinet's texts per language (locales/*.json, the same keys in each; `node build.mjs`
// refuses a catalog with a key missing or a key the code uses that English lacks).
import de from './locales/de.json';
import en from './locales/en.json';
import es from './locales/es.json';
import fr from './locales/fr.json';
import it from './locales/it.json';
import pt from './locales/pt.json';
import ru from './locales/ru.json';

export const messages = { en, ru, es, pt, de, it, fr };
