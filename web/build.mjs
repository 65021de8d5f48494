// Builds what the gateway serves under /assets (docs/cabinet.md): the cabinet and GraphiQL,
// bundled by esbuild from the exact versions in package-lock.json. The output in dist/ is
// committed, so `cargo run -- serve --demo` needs no Node.js; `node build.mjs --check`
// rebuilds into a temporary folder and fails if that differs from dist/ (CI runs it).
import * as esbuild from 'esbuild';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const check = process.argv.includes('--check');

// Every text the code asks for is in the English catalog, and every catalog has exactly the
// English keys (a missing translation is a build error, not a key shown to a person).
function checkCatalogs() {
  const dir = 'src/cabinet/locales';
  const en = JSON.parse(readFileSync(join(dir, 'en.json'), 'utf8'));
  const problems = [];
  const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  // Literal keys (`t('auth.email')`) and keys passed around as strings (`'client.joined'`):
  // any quoted word.word in a namespace the catalog uses must be in it.
  const spaces = new Set(Object.keys(en).map((k) => k.split('.')[0]));
  for (const file of walk('src/cabinet').filter((f) => f.endsWith('.js'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/'([a-zA-Z]+)\.([A-Za-z0-9_]+)'/g)) {
      if (spaces.has(m[1]) && !(`${m[1]}.${m[2]}` in en)) problems.push(`${file}: '${m[1]}.${m[2]}' is not in en.json`);
    }
  }
  // Keys made from an API enum: every value the schema can send has a text.
  const schema = readFileSync('../schema/schema.graphql', 'utf8');
  const values = (name) => schema.match(new RegExp(`enum ${name} \\{([^}]*)\\}`))[1].match(/^\s+([A-Z_]+)\s*$/gm).map((v) => v.trim());
  for (const [prefix, name] of [['discount', 'DiscountKind'], ['lineStatus', 'LineStatus'], ['lineFilter', 'LineStatusFilter'], ['orderStatus', 'OrderStatus'], ['origin', 'ClientOrigin'], ['access', 'ClientAccess'], ['lead', 'LeadStatus'], ['withdrawal', 'WithdrawalStatus'], ['ledger', 'LedgerEntryKind'], ['kind', 'NotificationKind']]) {
    for (const v of values(name)) if (!(`${prefix}.${v}` in en)) problems.push(`en.json: no text for ${name}.${v} (${prefix}.${v})`);
  }
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const other = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    for (const k of Object.keys(en)) if (!(k in other)) problems.push(`${f}: missing ${k}`);
    for (const k of Object.keys(other)) if (!(k in en)) problems.push(`${f}: ${k} is not in en.json`);
  }
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
}
checkCatalogs();
const out = check ? mkdtempSync(join(tmpdir(), 'pgw-web-')) : 'dist';
if (!check) rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
};
await esbuild.build({ ...common, entryPoints: { cabinet: 'src/cabinet/main.js' }, outdir: out });
await esbuild.build({ ...common, entryPoints: { graphiql: 'src/graphiql/main.js' }, outdir: out });

const strip = (css) => css.replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, '');
writeFileSync(join(out, 'graphiql.css'), strip(readFileSync('node_modules/graphiql/graphiql.min.css', 'utf8')));
for (const f of readdirSync('static')) writeFileSync(join(out, f), readFileSync(join('static', f)));

if (check) {
  const differs = [];
  const names = new Set([...readdirSync(out), ...readdirSync('dist')]);
  for (const f of names) {
    let a, b;
    try { a = readFileSync(join(out, f)); } catch { a = null; }
    try { b = readFileSync(join('dist', f)); } catch { b = null; }
    if (!a || !b || !a.equals(b)) differs.push(f);
  }
  rmSync(out, { recursive: true, force: true });
  if (differs.length) {
    console.error(`web/dist is not what web/src builds: ${differs.join(', ')}; run \`npm run build\` in web/`);
    process.exit(1);
  }
  console.log('web/dist is what web/src builds');
}
