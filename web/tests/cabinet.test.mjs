// The cabinet in a real browser against `serve --demo` (docs/cabinet.md): brands on their own
// hosts, a partner's renewal paid on the local checkout page and seen live, a referral
// sign-up in Russian, accessibility (axe-core), 375 px and the keyboard, and GraphiQL from
// the gateway alone.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { PASSWORD, gql, launch, logIn, shot, startGateway, watch } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const ACME = 'acme.localhost';
const EU = 'eu.localhost';

let gw;
let browser;
before(async () => {
  gw = await startGateway();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await gw?.stop();
});

async function signIn(page, host, email) {
  await page.goto(gw.url(host));
  await page.locator('input[name=email]').fill(email);
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.locator('form button[type=submit]').click();
  await page.locator('nav.tabs').waitFor();
}

const rows = (page) => page.locator('table[data-testid=lines] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.line));

test('each brand shows its own name, logo, favicon, colour and language before sign-in', async () => {
  const brands = [
    { host: ACME, name: 'Acme Messaging', colour: 'rgb(228, 87, 46)', logo: 'brand-acme.svg', icon: 'brand-acme-icon.svg', lang: 'en' },
    { host: EU, name: 'EuroChat', colour: 'rgb(0, 51, 153)', logo: 'brand-eu.svg', icon: 'brand-eu-icon.svg', lang: 'de' },
  ];
  const headings = [];
  for (const b of brands) {
    const ctx = await browser.newContext({ viewport: { width: 1024, height: 700 } });
    const page = await ctx.newPage();
    const problems = watch(page);
    await page.goto(gw.url(b.host));
    await page.getByTestId('brand-name').waitFor();
    assert.equal(await page.getByTestId('brand-name').textContent(), b.name);
    assert.equal(await page.title(), b.name);
    const top = await page.locator('header.top').evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(top, b.colour, `${b.host}: the header is the brand's primary colour`);
    const logo = page.locator('a.brand img');
    assert.match(await logo.getAttribute('src'), new RegExp(b.logo));
    await page.waitForFunction(() => {
      const img = document.querySelector('a.brand img');
      return img.complete && img.naturalWidth > 0;
    });
    assert.match(await page.locator('#favicon').getAttribute('href'), new RegExp(b.icon));
    assert.equal(await page.locator('html').getAttribute('lang'), b.lang, `${b.host}: the brand's language`);
    const h1 = await page.locator('h1').textContent();
    assert.ok(h1.includes(b.name), h1);
    headings.push(h1);
    await shot(page, `signin-${b.host.split('.')[0]}`);
    assert.deepEqual(problems, []);
    await ctx.close();
  }
  assert.notEqual(headings[0].replace('Acme Messaging', ''), headings[1].replace('EuroChat', ''), 'EuroChat reads German');
});

test('a partner filters lines, renews at the API quote, pays on the checkout page and sees it live', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const problems = watch(page);
  await signIn(page, ACME, 'partner@acme.example');
  await page.evaluate(() => {
    window.noReload = true;
  });
  await page.getByRole('link', { name: 'Client lines', exact: true }).click();
  await page.getByTestId('lines-total').waitFor();
  const all = await rows(page);
  assert.ok(all.length >= 5, `every demo line: ${all}`);
  await shot(page, 'lines-acme');

  // Filters: status, then country, then search, then page size.
  await page.locator('select[name=status]').selectOption('EXPIRES_IN_7_DAYS');
  await page.waitForFunction(() => document.querySelectorAll('table[data-testid=lines] tbody tr').length === 1);
  assert.deepEqual(await rows(page), ['10002']);
  await page.locator('select[name=status]').selectOption('');
  await page.locator('select[name=country]').selectOption('KZ');
  await page.waitForFunction(() => [...document.querySelectorAll('table[data-testid=lines] tbody tr')].every((tr) => tr.dataset.line.startsWith('1000') && !['10001', '10002', '10005'].includes(tr.dataset.line)));
  assert.deepEqual(await rows(page), ['10003', '10004']);
  await page.locator('select[name=country]').selectOption('');
  await page.locator('select[name=size]').selectOption('all');
  await page.locator('input[name=search]').fill('Petrova');
  await page.locator('input[name=search]').press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('table[data-testid=lines] tbody tr').length === 1);
  assert.deepEqual(await rows(page), ['10005']);
  await page.locator('input[name=search]').fill('');
  await page.locator('input[name=search]').press('Enter');
  await page.waitForFunction((n) => document.querySelectorAll('table[data-testid=lines] tbody tr').length === n, all.length);

  // Several lines at once: a client's box ticks all of their lines, and the quote is the API's.
  const token0 = await page.evaluate(() => JSON.parse(localStorage.getItem('pgw.session')).accessToken);
  const me0 = await gql(gw, ACME, '{ viewer { organizations { partner { id } } } }', {}, token0);
  const partner0 = me0.viewer.organizations.find((o) => o.partner).partner.id;
  await page.getByRole('checkbox', { name: 'Select every line of Boris Kim' }).check();
  assert.equal(await page.getByTestId('renew-picked').textContent(), 'Renew selected (2)');
  await page.getByTestId('renew-picked').click();
  await page.getByRole('heading', { name: 'Renew 2 lines' }).waitFor();
  const picked = new URL(page.url()).searchParams.get('renew').split(',');
  await page.locator('select[name=months]').selectOption('3');
  const many = (
    await gql(gw, ACME, 'query($i: OrderInput!) { quote(input: $i) { total items { line { lineNumber } } } }', {
      i: { payer: 'PARTNER', partnerId: partner0, renewals: { lineIds: picked, months: 3 } },
    }, token0)
  ).quote;
  assert.deepEqual(many.items.map((i) => i.line.lineNumber).sort(), [10003, 10004]);
  await page.waitForFunction((total) => document.querySelector('[data-testid=quote-total]')?.dataset.amount === total, many.total);
  await page.goBack();
  await page.locator('tr[data-line="10002"]').waitFor();

  // Renew line 10002 for 12 months: the page's quote is the API's.
  await page.locator('tr[data-line="10002"]').getByRole('button', { name: 'Renew' }).click();
  await page.locator('select[name=months]').selectOption('12');
  await page.waitForFunction(() => document.querySelector('[data-testid=quote-total]') && document.querySelector('select[name=months]').value === '12');
  const lineId = new URL(page.url()).searchParams.get('renew');
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('pgw.session')).accessToken);
  const me = await gql(gw, ACME, '{ viewer { organizations { partner { id } } } }', {}, token);
  const partnerId = me.viewer.organizations.find((o) => o.partner).partner.id;
  const api = (
    await gql(gw, ACME, 'query($i: OrderInput!) { quote(input: $i) { total base discounts { kind amount } items { expiresAt } } }', {
      i: { payer: 'PARTNER', partnerId, renewals: { lineIds: [lineId], months: 12 } },
    }, token)
  ).quote;
  await page.waitForFunction((total) => document.querySelector('[data-testid=quote-total]').dataset.amount === total, api.total);
  assert.equal(await page.getByTestId('quote-total').getAttribute('data-amount'), api.total);
  const breakdown = await page.getByTestId('quote').textContent();
  for (const name of ['Period discount', 'Partner discount']) assert.ok(breakdown.includes(name), breakdown);
  assert.equal(api.discounts.length, 2);
  await shot(page, 'renew-acme');

  // The bell is subscribed before the payment, so its notice can only arrive live.
  await page.locator('[data-testid=bell][data-live=yes]').waitFor();
  const counted = await page.getByTestId('bell-count').count();
  const unread = counted ? Number(await page.getByTestId('bell-count').textContent()) : 0;
  const [checkout] = await Promise.all([ctx.waitForEvent('page'), page.getByRole('button', { name: 'Pay by card' }).click()]);
  await checkout.waitForLoadState();
  assert.match(await checkout.textContent('body'), new RegExp(`Amount: ${api.total.replace('.', '\\.')} RUB`));
  await checkout.getByRole('button', { name: 'Pay' }).click();
  await checkout.waitForURL(/\/orders\/\d+\?paid=1/);

  // Without a reload: the bell rings, the order reads paid, the line is extended.
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=bell-count]')?.textContent || 0) > n, unread);
  await page.getByTestId('order-paid').waitFor();
  await page.getByRole('link', { name: 'Notifications', exact: true }).click();
  const notice = await page.getByTestId('notices').locator('li').first().textContent();
  assert.match(notice, /paid/i);
  await page.getByRole('link', { name: 'Client lines', exact: true }).click();
  await page.locator('tr[data-line="10002"]').waitFor();
  const expected = await page.evaluate((d) => new Intl.DateTimeFormat('en', { dateStyle: 'medium' }).format(new Date(d)), api.items[0].expiresAt);
  const shown = await page.locator('tr[data-line="10002"] [data-testid=expires]').textContent();
  assert.ok(shown.startsWith(expected), `${shown} starts with ${expected}`);
  assert.equal(await page.evaluate(() => window.noReload), true, 'the cabinet page was never reloaded');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a client opens a referral link, chooses Russian, signs up and reads the cabinet in Russian', async () => {
  const token = await logIn(gw, ACME, 'partner@acme.example');
  const d = await gql(gw, ACME, '{ viewer { organizations { partner { referralLink profile { name } } } } }', {}, token);
  const { referralLink, profile } = d.viewer.organizations.find((o) => o.partner).partner;
  const ctx = await browser.newContext({ viewport: { width: 1024, height: 800 } });
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto(referralLink);
  await page.waitForURL(/\/sign-up\?ref=/);
  await page.locator('main select').selectOption('ru');
  await page.getByTestId('referral').waitFor();
  assert.match(await page.getByTestId('referral').textContent(), new RegExp(`Вас пригласил ${profile.name}`));
  await page.getByLabel('Ваше имя').fill('Дина Орлова');
  await page.locator('input[name=email]').fill('dina@client.example');
  // A refused field is explained in the visitor's language, next to the field.
  await page.locator('input[name=password]').fill('short');
  await page.getByRole('button', { name: 'Создать аккаунт' }).click();
  await page.locator('.field-error').waitFor();
  assert.equal(await page.locator('.field-error').textContent(), 'Пароль — от 10 до 256 символов.');
  assert.equal(await page.locator('input[name=password]').getAttribute('aria-invalid'), 'true');
  await page.locator('input[name=password]').fill('dina-password-1');
  await shot(page, 'signup-ru');
  await page.getByRole('button', { name: 'Создать аккаунт' }).click();
  await page.getByRole('heading', { name: 'Мои линии' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'ru');
  assert.ok((await page.locator('nav.tabs').textContent()).includes('Мой партнёр'));
  await page.getByRole('link', { name: 'Мой партнёр' }).click();
  await page.getByRole('heading', { name: profile.name }).waitFor();
  const mine = await page.evaluate(() => JSON.parse(localStorage.getItem('pgw.session')).accessToken);
  const v = await gql(gw, ACME, '{ viewer { language myPartner { name origin } } }', {}, mine);
  assert.equal(v.viewer.language, 'RU');
  assert.deepEqual(v.viewer.myPartner, { name: profile.name, origin: 'REFERRAL_LINK' });
  assert.deepEqual(problems, []);
  await ctx.close();
});

async function axe(page, where) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${where}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
  );
}

test('axe-core finds no serious or critical violation on the main pages', async () => {
  // axe is injected as a script, which the cabinet's own policy rightly refuses.
  const ctx = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const problems = watch(page);
  for (const path of ['/', '/sign-up', '/forgot-password']) {
    await page.goto(gw.url(ACME, path));
    await page.locator('h1').waitFor();
    await axe(page, path);
  }
  await signIn(page, ACME, 'partner@acme.example');
  for (const tab of ['Client lines', 'Orders', 'Balance', 'Leads', 'Notifications', 'Profile', 'My clients']) {
    await page.getByRole('link', { name: tab, exact: true }).click();
    await page.locator('main h1', { hasText: tab }).waitFor();
    await page.waitForFunction(() => !document.querySelector('[aria-busy=true]'));
    await axe(page, tab);
  }
  await page.getByRole('link', { name: 'Client lines', exact: true }).click();
  await page.locator('tr[data-line="10003"]').getByRole('button', { name: 'Renew' }).click();
  await page.getByTestId('quote-total').waitFor();
  await axe(page, 'renew');
  assert.deepEqual(problems, []);
  await ctx.close();
  const client = await browser.newContext({ bypassCSP: true });
  const cp = await client.newPage();
  const clientProblems = watch(cp);
  await signIn(cp, ACME, 'anna@client.example');
  for (const [tab, heading] of [['My lines', 'My lines'], ['My orders', 'Orders'], ['My partner', 'My partner']]) {
    await cp.getByRole('link', { name: tab, exact: true }).click();
    await cp.locator('main h1', { hasText: heading }).waitFor();
    await cp.waitForFunction(() => !document.querySelector('[aria-busy=true]'));
    await axe(cp, tab);
  }
  assert.deepEqual(clientProblems, []);
  await client.close();
});

test('at 375 px nothing overflows, and the keyboard alone signs in with focus always visible', async () => {
  const ctx = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto(gw.url(EU));
  await page.locator('h1').waitFor();
  // Keyboard: the skip link first, then on through the header to the form, with a visible
  // outline on every stop.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  const stop = () => page.evaluate(() => ({ name: document.activeElement.name, outline: getComputedStyle(document.activeElement).outlineStyle }));
  for (let i = 0; i < 10 && (await stop()).name !== 'email'; i++) {
    assert.notEqual((await stop()).outline, 'none', `stop ${i} shows focus`);
    await page.keyboard.press('Tab');
  }
  assert.deepEqual(await stop(), { name: 'email', outline: 'solid' });
  await page.keyboard.type('partner@eu.example');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'password');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.locator('nav.tabs').waitFor();
  const wide = () => page.evaluate(() => document.documentElement.scrollWidth);
  for (const path of ['/clients', '/lines', '/money', '/partner/leads', '/notifications', '/profile']) {
    await page.evaluate((p) => {
      window.history.pushState(null, '', p);
      window.dispatchEvent(new PopStateEvent('popstate'));
    }, path);
    await page.locator('main h1').waitFor();
    await page.waitForFunction(() => !document.querySelector('[aria-busy=true]'));
    assert.ok((await wide()) <= 375, `${path} is ${await wide()} px wide`);
    if (path === '/lines') await shot(page, 'lines-eu-375px');
  }
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('GraphiQL loads its documentation explorer from the gateway alone', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const problems = watch(page);
  const elsewhere = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (!['data:', 'blob:'].includes(u.protocol) && u.host !== `localhost:${gw.port}`) elsewhere.push(r.url());
  });
  await page.goto(gw.url('localhost', '/graphql'));
  await page.getByRole('button', { name: /Show Documentation Explorer/i }).click({ timeout: 30_000 });
  await page.getByText('Root Types').waitFor();
  await page.getByText('QueryRoot').first().click();
  await page.getByText('referralPartner').first().waitFor();
  assert.deepEqual(elsewhere, []);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a partner works a lead, requests a withdrawal, takes the test, adds a channel from the balance and changes a notification setting', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const problems = watch(page);
  await signIn(page, ACME, 'partner@acme.example');

  // Leads: take a free one, move it to work, comment, release it.
  await page.getByRole('link', { name: 'Leads', exact: true }).click();
  const free = page.locator('section[aria-labelledby=free-h] article');
  await free.first().waitFor();
  const freeBefore = await free.count();
  const title = (await free.first().locator('h3').textContent()).split(' · ')[0];
  await free.first().getByRole('button', { name: 'Take the lead' }).click();
  const mine = page.locator('section[aria-labelledby=mine-h] article', { hasText: title });
  await mine.waitFor();
  assert.equal(await free.count(), freeBefore - 1);
  await mine.locator('select[name=status]').selectOption('IN_WORK');
  await page.waitForFunction((t) => [...document.querySelectorAll('section[aria-labelledby=mine-h] article')].some((a) => a.textContent.includes(t) && a.textContent.includes('In work')), title);
  await mine.locator('input[name=body]').fill('Called, demo on Friday');
  await mine.getByRole('button', { name: 'Add comment' }).click();
  await mine.locator('.comments li', { hasText: 'Called, demo on Friday' }).waitFor();
  await mine.getByRole('button', { name: 'Release' }).click();
  await page.waitForFunction((t) => ![...document.querySelectorAll('section[aria-labelledby=mine-h] article')].some((a) => a.textContent.includes(t) && a.querySelector('select')), title);

  // Money: below the brand's minimum the amount is refused next to the field, with nothing
  // written; a valid request appears in the list and the withdrawable amount drops.
  await page.getByRole('link', { name: 'Balance', exact: true }).click();
  const withdrawable = page.getByTestId('balance-withdrawable');
  await withdrawable.waitFor();
  const before = await withdrawable.textContent();
  await page.locator('input[name=amount]').fill('1500.00');
  await page.getByRole('button', { name: 'Request a withdrawal' }).click();
  await page.locator('.field-error').waitFor();
  assert.match(await page.locator('.field-error').textContent(), /at least 5000\.00 RUB/);
  assert.equal(await page.locator('input[name=amount]').getAttribute('aria-invalid'), 'true');
  assert.equal(await withdrawable.textContent(), before);
  await page.locator('input[name=amount]').fill('5000.00');
  await page.getByRole('button', { name: 'Request a withdrawal' }).click();
  await page.getByText(/Withdrawal №\d+ is requested/).waitFor();
  await page.waitForFunction((b) => document.querySelector('[data-testid=balance-withdrawable]').textContent !== b, before);

  // Certification: answer every question with the first option; either outcome is shown.
  await page.getByRole('link', { name: 'Profile', exact: true }).click();
  await page.getByRole('button', { name: 'Start the test' }).first().click();
  const questions = page.locator('fieldset');
  await questions.first().waitFor();
  for (let i = 0; i < (await questions.count()); i++) await questions.nth(i).locator('input[type=radio]').first().check();
  await page.getByRole('button', { name: 'Submit answers' }).click();
  const outcome = page.getByText(/Passed with \d+ %|Not passed \(\d+ %\)/);
  await outcome.waitFor();
  const certs = await gql(gw, ACME, '{ myCertificates { code scorePercent } }', {}, await page.evaluate(() => JSON.parse(localStorage.getItem('pgw.session')).accessToken));
  if ((await outcome.textContent()).startsWith('Passed')) {
    // A pass issues the certificate the page now lists, with the score it showed.
    const [cert] = certs.myCertificates;
    assert.ok((await outcome.textContent()).includes(`${cert.scorePercent} %`));
    await page.getByRole('link', { name: cert.code }).waitFor();
  } else {
    assert.deepEqual(certs.myCertificates, [], 'no certificate without a pass');
  }

  // Adding a channel to a line, paid from the balance: the line has one channel more.
  await page.getByRole('link', { name: 'Client lines', exact: true }).click();
  const line = page.locator('tr[data-line="10001"]');
  await line.waitFor();
  const channels = Number(await line.locator('td.channels').getAttribute('data-count'));
  await line.getByRole('button', { name: 'Add channels' }).click();
  await page.getByRole('heading', { name: 'Add channels to a line' }).waitFor();
  await page.getByRole('checkbox', { name: /^VK ·/ }).check();
  await page.getByTestId('quote-total').waitFor();
  await page.getByRole('button', { name: 'Pay from balance' }).click();
  await page.getByTestId('order-paid').waitFor();
  await page.getByRole('link', { name: 'Client lines', exact: true }).click();
  await page.waitForFunction((n) => Number(document.querySelector('tr[data-line="10001"] td.channels')?.dataset.count) === n, channels + 1);

  // A private note on the line stays after a reload.
  await page.locator('tr[data-line="10001"]').getByRole('button', { name: 'Add a note' }).click();
  await page.getByLabel('Your note on line 10001 (only you see it)').fill('Call before renewal');
  await page.locator('tr[data-line="10001"] form.note button[type=submit]').click();
  await page.locator('tr[data-line="10001"] [data-testid=line-comment]').waitFor();
  await page.reload();
  assert.equal(await page.locator('tr[data-line="10001"] [data-testid=line-comment]').textContent(), 'Call before renewal');

  // Notification settings: switching e-mail off for paid orders sticks.
  await page.getByRole('link', { name: 'Notifications', exact: true }).click();
  const box = page.getByLabel('Order paid: Email');
  await box.waitFor();
  assert.equal(await box.isChecked(), true);
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/graphql') && r.request().postData()?.includes('UpdateSettings')),
    box.uncheck(),
  ]);
  await page.reload();
  await page.getByLabel('Order paid: Email').waitFor();
  assert.equal(await page.getByLabel('Order paid: Email').isChecked(), false);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a client grants access, the partner logs in as the client with a banner and returns', async () => {
  const client = await browser.newContext();
  const cp = await client.newPage();
  const clientProblems = watch(cp);
  await signIn(cp, ACME, 'clara@client.example');
  await cp.getByRole('link', { name: 'My partner', exact: true }).click();
  const grant = cp.getByRole('button', { name: 'Grant access' });
  const revoke = cp.getByRole('button', { name: 'Revoke access' });
  await grant.or(revoke).waitFor();
  if (await revoke.isVisible()) {
    await revoke.click();
    await grant.waitFor();
  }
  await grant.click();
  await revoke.waitFor();

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const problems = watch(page);
  await signIn(page, ACME, 'partner@acme.example');
  const row = page.locator('tr', { hasText: 'clara@client.example' });
  await row.getByRole('button', { name: 'Log in as client' }).click();
  await page.getByTestId('impersonation').waitFor();
  assert.match(await page.getByTestId('impersonation').textContent(), /clara@client\.example/);
  await page.getByRole('heading', { name: 'My lines' }).waitFor();
  // Logged in as the client, the partner prepares orders but cannot pay them.
  await page.getByRole('button', { name: 'Renew' }).first().click();
  await page.getByTestId('quote-total').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Pay by card' }).count(), 0);
  await page.getByRole('button', { name: 'Return to my account' }).click();
  await page.getByRole('heading', { name: 'My clients' }).waitFor();
  assert.equal(await page.getByTestId('impersonation').count(), 0);

  // The client takes access back: the button is gone from the partner's list.
  await revoke.click();
  await grant.waitFor();
  await page.reload();
  await page.locator('tr', { hasText: 'clara@client.example' }).waitFor();
  assert.equal(await page.locator('tr', { hasText: 'clara@client.example' }).getByRole('button', { name: 'Log in as client' }).count(), 0);
  assert.deepEqual(problems, []);
  assert.deepEqual(clientProblems, []);
  await ctx.close();
  await client.close();
});

test('password reset and email verification links land in the cabinet and work; sign-in by phone', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const problems = watch(page);
  await page.goto(gw.url(ACME, '/forgot-password'));
  await page.locator('input[name=email]').fill('boris@client.example');
  await page.getByRole('button', { name: 'Send the link' }).click();
  await page.getByRole('status').waitFor();
  const mail = await gw.mail('boris@client.example', /\/reset-password\?token=[\w-]+/);
  await page.goto(mail);
  await page.locator('input[name=newPassword]').fill('boris-new-password-1');
  await page.getByRole('button', { name: 'Save password' }).click();
  await page.getByText('Your password is saved: sign in with it.').waitFor();
  await page.locator('input[name=email]').fill('boris@client.example');
  await page.locator('input[name=password]').fill('boris-new-password-1');
  await page.locator('form button[type=submit]').click();
  await page.getByRole('heading', { name: 'My lines' }).waitFor();
  // A new account's confirmation link confirms it; opened again, it says it was used.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('link', { name: 'Sign up' }).click();
  await page.getByLabel('Your name').fill('Eva Example');
  await page.locator('input[name=email]').fill('eva@client.example');
  await page.locator('input[name=phone]').fill('+79990004455');
  await page.locator('input[name=password]').fill('eva-password-123');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'My lines' }).waitFor();
  const verify = await gw.mail('eva@client.example', /\/verify-email\?token=[\w-]+/);
  await page.goto(verify);
  await page.getByText('Your email is confirmed.').waitFor();
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('pgw.session')).accessToken);
  assert.equal((await gql(gw, ACME, '{ viewer { emailVerified } }', {}, token)).viewer.emailVerified, true);
  await page.goto(verify);
  await page.getByRole('alert').waitFor();
  // The password is changed on the profile (a wrong current one is refused at its field),
  // then the same account signs in by phone with the new one.
  await page.getByRole('link', { name: 'Profile', exact: true }).click();
  await page.locator('section[aria-labelledby=pw-h] input[name=currentPassword]').fill('not-my-password');
  await page.locator('input[name=newPassword]').fill('eva-password-456');
  await page.getByRole('button', { name: 'Change password' }).click();
  const wrong = page.locator('section[aria-labelledby=pw-h] .field-error');
  await wrong.waitFor();
  assert.equal(await wrong.textContent(), 'The current password is wrong.');
  await page.locator('section[aria-labelledby=pw-h] input[name=currentPassword]').fill('eva-password-123');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('Password changed.').waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Phone' }).click();
  await page.locator('input[name=phone]').fill('+79990004455');
  await page.locator('input[name=password]').fill('eva-password-456');
  await page.locator('form button[type=submit]').click();
  await page.getByRole('heading', { name: 'My lines' }).waitFor();
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('an access token the server refuses is renewed once with the refresh token, and the page carries on', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const problems = watch(page);
  await signIn(page, ACME, 'anna@client.example');
  await page.getByRole('heading', { name: 'My lines' }).waitFor();
  const before = await page.evaluate(() => JSON.parse(localStorage.getItem('pgw.session')));
  // What an expired token gets: 401 UNAUTHENTICATED. The cabinet must refresh and retry.
  await page.evaluate(() => {
    const s = JSON.parse(localStorage.getItem('pgw.session'));
    s.accessToken = 'expired.or.revoked';
    localStorage.setItem('pgw.session', JSON.stringify(s));
  });
  await page.reload();
  await page.getByRole('heading', { name: 'My lines' }).waitFor();
  await page.locator('table[data-testid=my-lines] tbody tr').first().waitFor();
  const after = await page.evaluate(() => JSON.parse(localStorage.getItem('pgw.session')));
  assert.notEqual(after.accessToken, 'expired.or.revoked');
  assert.notEqual(after.refreshToken, before.refreshToken, 'the one-use refresh token was exchanged');
  await page.locator('[data-testid=bell][data-live=yes]').waitFor();
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a client buys new lines at the API quote and gets an invoice', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  const page = await ctx.newPage();
  const problems = watch(page);
  await signIn(page, ACME, 'anna@client.example');
  await page.getByRole('button', { name: 'Buy a line' }).click();
  await page.getByRole('heading', { name: 'Buy lines' }).waitFor();
  await page.locator('select[name=months]').selectOption('3');
  await page.getByRole('checkbox', { name: /^WhatsApp ·/ }).check();
  await page.locator('input[name=quantity]').fill('2');
  await page.waitForFunction(() => document.querySelector('[data-testid=quote-total]'));
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('pgw.session')).accessToken);
  const cat = await gql(gw, ACME, '{ catalogue { channelKinds { id code } } viewer { id organizations { id } } }', {}, token);
  const whatsapp = cat.catalogue.channelKinds.find((k) => k.code === 'WHATSAPP').id;
  const api = (
    await gql(gw, ACME, 'query($i: OrderInput!) { quote(input: $i) { total } }', {
      i: { payer: 'CLIENT', clientId: cat.viewer.id, newLines: [{ organizationId: cat.viewer.organizations[0].id, channelKinds: [whatsapp], months: 3, quantity: 2 }] },
    }, token)
  ).quote;
  await page.waitForFunction((total) => document.querySelector('[data-testid=quote-total]').dataset.amount === total, api.total);
  await page.getByRole('button', { name: 'Get an invoice' }).click();
  await page.getByRole('heading', { name: 'Orders' }).waitFor();
  const row = page.locator('table[data-testid=orders] tbody tr').first();
  await row.getByText(/Invoice №\d+/).waitFor();
  assert.match(await row.textContent(), /Awaiting payment/);
  assert.deepEqual(problems, []);
  await ctx.close();
});
