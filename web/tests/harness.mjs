// The browser tests' harness: the real gateway (`serve --demo` on a fresh SQLite file and a
// free port, with its local YooKassa and SMTP servers) and Debian's Chromium driven by
// playwright-core. Screenshots go to SCREENSHOTS (default web/test-results/screenshots).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
export const SCREENSHOTS = resolve(process.env.SCREENSHOTS || join(here, '..', 'test-results', 'screenshots'));
export const PASSWORD = 'demo-password-1';

function gatewayBinary() {
  if (process.env.GATEWAY_BIN) return resolve(process.env.GATEWAY_BIN);
  for (const profile of ['release', 'debug']) {
    const bin = join(repo, 'target', profile, 'partner-gateway');
    if (existsSync(bin)) return bin;
  }
  throw new Error('no gateway binary: run `cargo build` (or set GATEWAY_BIN)');
}

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** A mail body as text: quoted-printable soft breaks joined and `=XX` bytes decoded. */
function quotedPrintable(text) {
  const joined = text.replace(/=\r?\n/g, '');
  return Buffer.from(joined.replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}

/** Starts `serve --demo`; resolves once `/readyz` answers. */
export async function startGateway() {
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'pgw-browser-'));
  const log = [];
  const child = spawn(gatewayBinary(), ['serve', '--demo'], {
    cwd: repo,
    env: {
      ...process.env,
      BIND_ADDR: `127.0.0.1:${port}`,
      DATA_DIR: data,
      DATABASE_URL: `sqlite://${join(data, 'gateway.db')}?mode=rwc`,
      RUST_LOG: 'warn',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (b) => log.push(b.toString()));
  child.stderr.on('data', (b) => log.push(b.toString()));
  const started = Date.now();
  for (;;) {
    if (child.exitCode != null) throw new Error(`the gateway exited:\n${log.join('')}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 120_000) throw new Error(`the gateway did not get ready:\n${log.join('')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port,
    url: (host, path = '/') => `http://${host}:${port}${path}`,
    log: () => log.join(''),
    /** The first link matching `path` in a mail to `to` (the demo writes `.eml` files). */
    async mail(to, path) {
      const link = new RegExp(`https?://[^\\s"<>]*${path.source}`);
      const dir = join(data, 'mail');
      for (let i = 0; i < 300; i++) {
        for (const f of existsSync(dir) ? readdirSync(dir) : []) {
          const text = quotedPrintable(readFileSync(join(dir, f), 'utf8'));
          const found = text.includes(`To: ${to}`) || text.includes(`<${to}>`) ? text.match(link) : null;
          if (found) return found[0];
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no mail to ${to} with ${path}`);
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode != null ? r() : child.once('exit', r)));
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/** GraphQL as the cabinet sends it, for the tests' own look-ups (`Host` picks the brand). */
export function gql(gw, host, query, variables = {}, token) {
  const body = JSON.stringify({ query, variables });
  return new Promise((ok, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: gw.port,
        path: '/graphql',
        method: 'POST',
        headers: {
          host: `${host}:${gw.port}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          const answer = JSON.parse(text);
          if (answer.errors) fail(new Error(JSON.stringify(answer.errors)));
          else ok(answer.data);
        });
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

export async function logIn(gw, host, email) {
  const d = await gql(gw, host, 'mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }', { i: { email, password: PASSWORD } });
  return d.logIn.accessToken;
}

export async function launch() {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  return chromium.launch({
    executablePath,
    // *.localhost is loopback (RFC 6761); say so in case the resolver does not.
    args: ['--host-resolver-rules=MAP *.localhost 127.0.0.1', '--no-sandbox'],
  });
}

export function shot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Fails the test on a page error or a Content-Security-Policy violation. */
export function watch(page) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  return problems;
}
