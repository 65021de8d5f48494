// Builds what the gateway serves under /assets (docs/cabinet.md): the cabinet and GraphiQL,
// bundled by esbuild from the exact versions in package-lock.json. The output in dist/ is
// committed, so `cargo run -- serve --demo` needs no Node.js; `node build.mjs --check`
// rebuilds into a temporary folder and fails if that differs from dist/ (CI runs it).
import * as esbuild from 'esbuild';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const check = process.argv.includes('--check');
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
