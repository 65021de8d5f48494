import { chromium } from 'playwright-core';
const base = 'localhost:18090';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--host-resolver-rules=MAP *.localhost 127.0.0.1'] });
const ctx = await browser.newContext({ viewport: { width: 1100, height: 800 } });
const page = await ctx.newPage();
const msgs = [];
page.on('console', (m) => msgs.push(m.type() + ': ' + m.text()));
page.on('pageerror', (e) => msgs.push('pageerror: ' + e.message));
for (const host of ['acme.localhost', 'eu.localhost']) {
  await page.goto(`http://${host}:18090/`);
  await page.getByRole('button', { name: /sign in|anmelden/i }).first().waitFor({ timeout: 10000 }).catch(() => {});
  await page.screenshot({ path: `/tmp/signin-${host}.png` });
}
await page.goto(`http://acme.localhost:18090/`);
await page.getByLabel('Email').fill('partner@acme.example');
await page.getByLabel('Password').fill('demo-password-1');
await page.getByRole('button', { name: 'Sign in' }).last().click();
await page.getByRole('heading', { name: 'My clients' }).waitFor({ timeout: 10000 }).catch(() => {});
await page.screenshot({ path: `/tmp/clients.png` });
await page.getByRole('link', { name: 'Client lines' }).click();
await page.waitForTimeout(1500);
await page.screenshot({ path: `/tmp/lines.png`, fullPage: true });
console.log(msgs.join('\n'));
await browser.close();
