// The partner's pages of seed 001: my clients, client lines (filters, search, page size,
// show all), buying and renewing with a live quote and its discounts, paying by card or
// invoice, adding channels, orders, and "log in as client".
import { useMemo, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { mutate, query, returnTo, session, setReturnTo, setSession } from '../api.js';
import { date, label, money, t } from '../i18n.js';
import { Badge, Field, FormError, Loading, NewerOlder, Pager, html, idempotencyKey, partnerOnly, safeHref, useAction, useLoad } from '../ui.js';


const CLIENTS = `query Clients($p: ID!, $search: String, $first: Int, $after: String) {
  partner(id: $p) { id balance { currency withdrawable spendable }
    clients(search: $search, first: $first, after: $after) { totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      nodes { id origin access openLineCount organizationCount paymentCount paymentTotal lastActiveAt
        user { id displayName email country } } } } }`;

const IMPERSONATE = `mutation Impersonate($input: ImpersonateClientInput!) {
  impersonateClient(input: $input) { accessToken expiresIn client { id displayName email } } }`;

function ClientsPageInner({ partner, brand }) {
  const [search, setSearch] = useState('');
  const [cursor, setCursor] = useState([null]);
  const state = useLoad(
    () => query(CLIENTS, { p: partner.id, search: search || null, first: 20, after: cursor[cursor.length - 1] }).then((d) => d.partner),
    [partner.id, search, cursor],
  );
  const [actAs, acting] = useAction(async (client) => {
    const reason = t('clients.impersonationReason');
    const r = await mutate(IMPERSONATE, { input: { partnerId: partner.id, clientId: client.user.id, reason } });
    setReturnTo(session.value);
    setSession({ accessToken: r.impersonateClient.accessToken, refreshToken: null, viewer: r.impersonateClient.client });
    window.location.assign('/my/lines');
  });
  return html`<main class="page" id="main">
    <h1>${t('nav.clients')}</h1>
    <${Loading} state=${state}>
      ${(p) => html`
        <div class="grid">
          <div class="card"><div class="muted">${t('clients.count')}</div><div class="stat">${p.clients.totalCount}</div></div>
          <div class="card"><div class="muted">${t('money.withdrawable')}</div><div class="stat">${money(p.balance.withdrawable, p.balance.currency)}</div></div>
          <div class="card"><div class="muted">${t('money.spendable')}</div><div class="stat">${money(p.balance.spendable, p.balance.currency)}</div></div>
        </div>
        <div class="card">
          <form class="row" role="search" onSubmit=${(e) => { e.preventDefault(); setCursor([null]); setSearch(new FormData(e.currentTarget).get('q')); }}>
            <${Field} label=${t('common.search')} name="q" type="search" value=${search} />
            <div><button type="submit">${t('common.search')}</button></div>
          </form>
          <${FormError} error=${acting.error} />
          <div class="table-wrap"><table>
            <thead><tr>
              <th scope="col">${t('clients.client')}</th><th scope="col" class="hide-small">${t('clients.origin')}</th>
              <th scope="col">${t('clients.access')}</th><th scope="col" class="num">${t('clients.lines')}</th>
              <th scope="col" class="num hide-small">${t('clients.paid')}</th><th scope="col"><span class="sr-only">${t('common.actions')}</span></th>
            </tr></thead>
            <tbody>
              ${p.clients.nodes.map(
                (c) => html`<tr>
                  <td>${c.user?.displayName}<br /><small class="muted">${c.user?.email}</small></td>
                  <td class="hide-small">${label('origin', c.origin)}</td>
                  <td><${Badge} value=${c.access} text=${label('access', c.access)} /></td>
                  <td class="num">${c.openLineCount}</td>
                  <td class="num hide-small">${money(c.paymentTotal, brand.currency)}</td>
                  <td>${c.access === 'GRANTED' && html`<button type="button" class="secondary" disabled=${acting.busy}
                    onClick=${() => actAs(c)}>${t('clients.logInAs')}</button>`}</td>
                </tr>`,
              )}
            </tbody>
          </table></div>
          <${Pager} page=${p.clients} total=${p.clients.totalCount}
            onPrev=${() => setCursor(cursor.slice(0, -1))} onNext=${() => setCursor([...cursor, p.clients.pageInfo.endCursor])} />
        </div>`}
    <//>
  </main>`;
}

const LINE = 'id lineNumber name status daysLeft expiresAt channelCount nfr comment coinBalance wabaBalance channels { id paid status kind { id name } }';
const LINES = `query Lines($p: ID!, $country: String, $status: LineStatusFilter, $search: String, $first: Int, $after: String) {
  partner(id: $p) { id clientCountries
    clientLines(country: $country, status: $status, search: $search, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
      nodes { client { id accountNumber displayName email country } organizations { id name } lines { ${LINE} } } } } }`;
const COMMENT = `mutation Comment($input: SetLineCommentInput!) { setLineComment(input: $input) { line { id comment } } }`;

const SIZES = ['10', '20', '50', '100', 'all'];

function LinesPageInner({ partner, bell, no }) {
  const { route } = useLocation();
  // `/lines/<n>` (a notice's link) opens the page searched for that line.
  const [filters, setFilters] = useState({ country: '', status: '', search: no || '', size: '20' });
  const [cursor, setCursor] = useState([null]);
  const first = filters.size === 'all' ? 1000 : Number(filters.size);
  const state = useLoad(
    () =>
      query(LINES, {
        p: partner.id,
        country: filters.country || null,
        status: filters.status || null,
        search: filters.search || null,
        first,
        after: cursor[cursor.length - 1],
      }).then((d) => d.partner),
    [partner.id, filters, cursor, bell?.live?.id],
  );
  // Lines ticked for renewal: one line, all of a client's, or every line on the page.
  const [picked, setPicked] = useState([]);
  const set = (k) => (e) => {
    setCursor([null]);
    setPicked([]);
    setFilters({ ...filters, [k]: e.currentTarget.value });
  };
  const pick = (ids, on) => setPicked(on ? [...new Set([...picked, ...ids])] : picked.filter((id) => !ids.includes(id)));
  const all = (state.data?.clientLines.nodes || []).flatMap((c) => c.lines.map((l) => l.id));
  const allPicked = (ids) => ids.length > 0 && ids.every((id) => picked.includes(id));
  const countries = state.data?.clientCountries || [];
  return html`<main class="page" id="main">
    <h1>${t('nav.lines')}</h1>
    <div class="card">
      <form class="row" role="search" aria-label=${t('lines.filters')} onSubmit=${(e) => { e.preventDefault(); setCursor([null]); setFilters({ ...filters, search: new FormData(e.currentTarget).get('search') }); }}>
        <${Field} as="select" label=${t('lines.country')} name="country" value=${filters.country} onChange=${set('country')}>
          <option value="">${t('common.all')}</option>
          ${countries.map((c) => html`<option value=${c}>${c}</option>`)}
        <//>
        <${Field} as="select" label=${t('lines.status')} name="status" value=${filters.status} onChange=${set('status')}>
          <option value="">${t('common.all')}</option>
          ${['ACTIVE', 'EXPIRES_IN_7_DAYS', 'EXPIRES_IN_30_DAYS', 'EXPIRED'].map((s) => html`<option value=${s}>${label('lineFilter', s)}</option>`)}
        <//>
        <${Field} label=${t('common.search')} name="search" type="search" defaultValue=${filters.search} />
        <${Field} as="select" label=${t('lines.pageSize')} name="size" value=${filters.size} onChange=${set('size')}>
          ${SIZES.map((s) => html`<option value=${s}>${s === 'all' ? t('lines.showAll') : s}</option>`)}
        <//>
        <div><button type="submit">${t('common.search')}</button></div>
      </form>
    </div>
    <${Loading} state=${state}>
      ${(p) => html`<div class="card">
        <div class="row toolbar">
          <p class="muted" data-testid="lines-total">${t('lines.clientsFound', { n: p.clientLines.totalCount })}</p>
          <div><button type="button" disabled=${picked.length === 0} data-testid="renew-picked"
            onClick=${() => route(`/order?renew=${picked.map(encodeURIComponent).join(',')}`)}>${t('lines.renewPicked', { n: picked.length })}</button></div>
        </div>
        <div class="table-wrap"><table class="stack" data-testid="lines">
          <thead><tr>
            <th scope="col"><input type="checkbox" aria-label=${t('lines.pickPage')} checked=${allPicked(all)} onChange=${(e) => pick(all, e.currentTarget.checked)} /></th>
            <th scope="col">${t('lines.client')}</th><th scope="col">${t('lines.line')}</th><th scope="col">${t('lines.status')}</th>
            <th scope="col">${t('lines.expires')}</th><th scope="col" class="num hide-small">${t('lines.channels')}</th>
            <th scope="col" class="num hide-small">${t('lines.balances')}</th>
            <th scope="col"><span class="sr-only">${t('common.actions')}</span></th>
          </tr></thead>
          <tbody>
            ${p.clientLines.nodes.flatMap((c) => {
              const ids = c.lines.map((l) => l.id);
              const client = (span) => html`<td class="group" rowspan=${span}>
                ${ids.length > 0 && html`<input type="checkbox" aria-label=${t('lines.pickClient', { client: c.client.displayName })} checked=${allPicked(ids)} onChange=${(e) => pick(ids, e.currentTarget.checked)} /> `}
                ${c.client.displayName}<br /><small class="muted">ID ${c.client.accountNumber} · ${c.client.email}${c.client.country ? ` · ${c.client.country}` : ''}</small>
                ${c.organizations.length > 0 && html`<br /><small class="muted">${c.organizations.map((o) => o.name).join(', ')}</small>`}
                ${c.organizations.length > 0 && html`<div><button type="button" class="link" onClick=${() => route(`/order?buy=${encodeURIComponent(c.organizations[0].id)}&client=${encodeURIComponent(c.client.id)}`)}>${t('lines.buy')}</button></div>`}</td>`;
              if (c.lines.length === 0) {
                return [html`<tr><td></td>${client(1)}<td colspan="6" class="muted">${t('client.noLines')}</td></tr>`];
              }
              return c.lines.map(
                (l, i) => html`<tr data-line=${l.lineNumber}>
                  <td class="pick"><input type="checkbox" aria-label=${t('lines.pickLine', { n: l.lineNumber })} checked=${picked.includes(l.id)} onChange=${(e) => pick([l.id], e.currentTarget.checked)} /></td>
                  ${i === 0 && client(c.lines.length)}
                  <td data-label=${t('lines.line')}>#${l.lineNumber} ${l.name}${l.nfr ? html` <${Badge} text="NFR" />` : ''}<${LineComment} line=${l} /></td>
                  <td data-label=${t('lines.status')}><${Badge} value=${l.status} text=${label('lineStatus', l.status)} /></td>
                  <td data-label=${t('lines.expires')} data-testid="expires">${date(l.expiresAt)}<br /><small class="muted">${t('lines.daysLeft', { n: l.daysLeft })}</small></td>
                  <td class="num hide-small channels" data-count=${l.channelCount} title=${l.channels.map((ch) => ch.kind?.name).filter(Boolean).join(', ')}>${l.channelCount}<span class="sr-only">: ${l.channels.map((ch) => ch.kind?.name).filter(Boolean).join(', ')}</span></td>
                  <td class="num hide-small">${l.coinBalance} ChatCoins<br /><small class="muted">WABA ${money(l.wabaBalance)}</small></td>
                  <td><div class="actions">
                    <button type="button" onClick=${() => route(`/order?renew=${encodeURIComponent(l.id)}`)}>${t('lines.renew')}</button>
                    <button type="button" class="secondary" onClick=${() => route(`/order?add=${encodeURIComponent(l.id)}&client=${encodeURIComponent(c.client.id)}`)}>${t('lines.addChannels')}</button>
                  </div></td>
                </tr>`,
              );
            })}
          </tbody>
        </table></div>
        ${filters.size !== 'all' && html`<${Pager} page=${p.clientLines} total=${p.clientLines.totalCount}
          onPrev=${() => setCursor(cursor.slice(0, -1))} onNext=${() => setCursor([...cursor, p.clientLines.pageInfo.endCursor])} />`}
      </div>`}
    <//>
  </main>`;
}

/** The partner's own note on a line (only this partner ever sees it). */
function LineComment({ line }) {
  const [editing, setEditing] = useState(false);
  const [save, saving] = useAction(async (comment) => {
    await mutate(COMMENT, { input: { lineId: line.id, comment: comment || null } });
    line.comment = comment || null;
    setEditing(false);
    return true;
  });
  if (!editing) {
    return html`<div class="note">${line.comment && html`<small data-testid="line-comment">${line.comment}</small> `}
      <button type="button" class="link" onClick=${() => setEditing(true)}>${t(line.comment ? 'lines.editNote' : 'lines.addNote')}</button></div>`;
  }
  return html`<form class="note" onSubmit=${(e) => { e.preventDefault(); save(new FormData(e.currentTarget).get('comment')); }}>
    <${Field} label=${t('lines.note', { n: line.lineNumber })} name="comment" defaultValue=${line.comment || ''} maxlength="500" error=${saving.error} />
    <${FormError} error=${saving.error} fields=${['comment']} />
    <button type="submit" disabled=${saving.busy}>${t('common.save')}</button>
    <button type="button" class="secondary" onClick=${() => setEditing(false)}>${t('common.cancel')}</button>
  </form>`;
}

const CATALOGUE = `query Catalogue { catalogue { currency periods channelKinds { id code name monthlyPrice personal } coinPackages { id coins price } } }`;
const QUOTE = `query Quote($input: OrderInput!) { quote(input: $input) {
  currency base total partnerReward payer personalChannels
  discounts { kind percent amount }
  items { kind months quantity base total remainingDays expiresAt line { id lineNumber } discounts { kind percent amount } } } }`;
const CREATE = `mutation CreateOrder($input: CreateOrderInput!) { createOrder(input: $input) { order { id orderNumber total currency status } } }`;
const PAY = `mutation Pay($input: PayOrderInput!) { payOrder(input: $input) {
  order { id orderNumber status } payment { id status method checkoutUrl invoiceNumber } } }`;

/** `/order?renew=<line>`, `?add=<line>` or `?buy=<organization>`: the live quote, then the
 * order and its payment. */
export function OrderPage({ partner, viewer }) {
  const { query: params, route } = useLocation();
  const renewing = params.renew ? params.renew.split(',').filter(Boolean) : [];
  const lineId = renewing[0] || params.add;
  const adding = Boolean(params.add);
  const [coins, setCoins] = useState('');
  const buying = params.buy || null;
  const [quantity, setQuantity] = useState(1);
  const cat = useLoad(() => query(CATALOGUE).then((d) => d.catalogue), []);
  const [months, setMonths] = useState(null);
  const [kinds, setKinds] = useState([]);
  const [payer, setPayer] = useState(partner ? 'PARTNER' : 'CLIENT');

  // The shortest period until the person picks one (derived, so no effect can overwrite a pick).
  const period = months ?? cat.data?.periods[0] ?? null;
  const input = useMemo(() => {
    if ((!lineId && !buying) || (!adding && !period)) return null;
    // New lines name their client: the partner's pick, or the client themselves.
    const clientId = partner ? params.client : buying ? viewer.id : null;
    const base = { payer, ...(partner ? { partnerId: partner.id } : {}), ...(clientId ? { clientId } : {}) };
    if (buying) {
      if (!kinds.length || !(quantity >= 1)) return null;
      return { ...base, newLines: [{ organizationId: buying, channelKinds: kinds, months: period, quantity, ...(coins ? { coinPackage: coins } : {}) }] };
    }
    if (adding) return kinds.length ? { ...base, channelAdditions: [{ lineId, channelKinds: kinds }] } : null;
    return { ...base, renewals: { lineIds: renewing, months: period } };
  }, [params.renew, lineId, buying, period, kinds, quantity, coins, payer]);
  // One key per intent: the same order asked for twice is one order; a changed order is new.
  const key = useMemo(idempotencyKey, [JSON.stringify(input)]);
  const quote = useLoad(() => (input ? query(QUOTE, { input }).then((d) => d.quote) : Promise.resolve(null)), [JSON.stringify(input)]);
  const preparing = Boolean(returnTo.value);
  const [place, placing] = useAction(async (method) => {
    const order = (await mutate(CREATE, { input: { idempotencyKey: key, order: input } })).createOrder.order;
    if (!method) {
      route(`/orders/${order.orderNumber}`);
      return order;
    }
    const paid = (await mutate(PAY, { input: { orderId: order.id, method, idempotencyKey: `${key}-${method}` } })).payOrder;
    if (method === 'CARD' && paid.payment.checkoutUrl) {
      // The provider's page opens beside the cabinet, which stays signed in and live.
      window.open(safeHref(paid.payment.checkoutUrl), '_blank', 'noopener');
      route(`/orders/${order.orderNumber}`);
      return paid;
    }
    route(`/orders/${order.orderNumber}`);
    return paid;
  });
  if (!lineId && !buying) return html`<main class="page" id="main"><p>${t('order.pickLine')} <a href="/lines">${t('nav.lines')}</a></p></main>`;
  return html`<main class="page" id="main">
    <h1>${t(buying ? 'order.buyTitle' : adding ? 'order.addTitle' : renewing.length > 1 ? 'order.renewManyTitle' : 'order.renewTitle', { n: renewing.length })}</h1>
    <${Loading} state=${cat}>
      ${(c) => html`<div class="grid">
        <div class="card">
          ${!adding && html`<${Field} as="select" label=${t('order.months')} name="months" value=${String(period || '')} onChange=${(e) => setMonths(Number(e.currentTarget.value))}>
            ${c.periods.map((m) => html`<option value=${m}>${t('order.monthsN', { n: m })}</option>`)}
          <//>`}
          ${buying && html`<${Field} label=${t('order.quantity')} name="quantity" type="number" min="1" max="100" value=${quantity}
            onInput=${(e) => setQuantity(Number(e.currentTarget.value))} />`}
          ${buying && c.coinPackages.length > 0 && html`<${Field} as="select" label=${t('order.coins')} name="coins" value=${coins} onChange=${(e) => setCoins(e.currentTarget.value)}>
            <option value="">${t('order.noCoins')}</option>
            ${c.coinPackages.map((k) => html`<option value=${k.id}>${k.coins} ChatCoins · ${money(k.price, c.currency)}</option>`)}
          <//>`}
          ${(adding || buying) && html`<fieldset><legend>${t(buying ? 'order.lineChannels' : 'order.channels')}</legend>
            ${c.channelKinds.map((k) => html`<label class="check"><input type="checkbox" checked=${kinds.includes(k.id)}
              onChange=${(e) => setKinds(e.currentTarget.checked ? [...kinds, k.id] : kinds.filter((x) => x !== k.id))} />
              ${k.name} · ${money(k.monthlyPrice, c.currency)}/${t('order.month')}</label>`)}
          </fieldset>`}
          ${partner && html`<${Field} as="select" label=${t('order.payer')} name="payer" value=${payer} onChange=${(e) => setPayer(e.currentTarget.value)}>
            <option value="PARTNER">${t('order.payerPartner')}</option>
            <option value="CLIENT">${t('order.payerClient')}</option>
          <//>`}
        </div>
        <${QuoteCard} state=${quote} />
      </div>`}
    <//>
    <${FormError} error=${placing.error} />
    ${preparing && html`<div class="actions"><p class="muted">${t('order.preparing')}</p>
      <button type="button" disabled=${!quote.data || placing.busy} onClick=${() => place(null)}>${t('order.prepare')}</button></div>`}
    ${!preparing && html`<div class="actions">
      <button type="button" disabled=${!quote.data || placing.busy} onClick=${() => place('CARD')}>${t('order.payCard')}</button>
      <button type="button" class="secondary" disabled=${!quote.data || placing.busy} onClick=${() => place('INVOICE')}>${t('order.payInvoice')}</button>
      ${partner && payer === 'PARTNER' && html`<button type="button" class="secondary" disabled=${!quote.data || placing.busy} onClick=${() => place('BONUS_BALANCE')}>${t('order.payBalance')}</button>`}
    </div>`}
  </main>`;
}

function QuoteCard({ state }) {
  return html`<section class="card quote" aria-live="polite" aria-labelledby="quote-h" data-testid="quote">
    <h2 id="quote-h">${t('order.quote')}</h2>
    <${Loading} state=${state}>
      ${(q) => (q ? html`<dl>
        <dt>${t('order.base')}</dt><dd data-testid="quote-base">${money(q.base, q.currency)}</dd>
        ${q.discounts.map((d) => html`<dt>${t(`discount.${d.kind}`)} (${d.percent} %)</dt><dd>−${money(d.amount, q.currency)}</dd>`)}
        <dt class="total">${t('order.total')}</dt><dd class="total" data-testid="quote-total" data-amount=${q.total}>${money(q.total, q.currency)}</dd>
        ${Number(q.partnerReward) > 0 && html`<dt>${t('order.reward')}</dt><dd>${money(q.partnerReward, q.currency)}</dd>`}
      </dl>
      ${q.items.map((i) => i.expiresAt && html`<p class="muted">#${i.line?.lineNumber}: ${t('order.newExpiry', { date: date(i.expiresAt) })}</p>`)}` : html`<p class="muted">${t('order.chooseFirst')}</p>`)}
    <//>
  </section>`;
}

const PARTNER_ORDERS = `query Orders($p: ID!, $last: Int, $before: String) { partner(id: $p) { orders(last: $last, before: $before) {
  totalCount pageInfo { hasNextPage hasPreviousPage startCursor }
  nodes { id orderNumber status total currency createdAt paidAt payer client { displayName email }
    payments { id method status checkoutUrl invoiceNumber } } } } }`;
const MY_ORDERS = `query MyOrders($last: Int, $before: String) { viewer { id orders(last: $last, before: $before) {
  totalCount pageInfo { hasNextPage hasPreviousPage startCursor }
  nodes { id orderNumber status total currency createdAt paidAt payer client { displayName email }
    payments { id method status checkoutUrl invoiceNumber } } } } }`;

/** The partner's orders (`/orders`), or the client's own (`/my/orders`), newest first. The
 * card checkout returns to `/orders/<number>?paid=1`; a page left open updates itself when
 * the bell brings the payment's notice. */
export function OrdersPage({ partner, number, bell }) {
  const { query: params } = useLocation();
  const [cursor, setCursor] = useState([null]);
  const before = cursor[cursor.length - 1];
  const state = useLoad(
    () =>
      partner
        ? query(PARTNER_ORDERS, { p: partner.id, last: 20, before }).then((d) => d.partner.orders)
        : query(MY_ORDERS, { last: 20, before }).then((d) => d.viewer.orders),
    [partner?.id, cursor, bell?.live?.id],
  );
  const mine = state.data?.nodes.find((o) => String(o.orderNumber) === number);
  const checkout = mine?.status === 'PENDING' && safeHref(mine.payments.find((p) => p.status === 'PENDING')?.checkoutUrl);
  return html`<main class="page" id="main">
    <h1>${t('nav.orders')}</h1>
    ${params.paid && html`<p class="alert ok" role="status">${t('order.returnedPaid', { n: number })}</p>`}
    ${params.cancelled && html`<p class="alert error" role="alert">${t('order.returnedCancelled', { n: number })}</p>`}
    ${checkout && html`<p class="alert ok" role="status">
      ${t('order.awaiting', { n: number })} <a href=${checkout} target="_blank" rel="noopener" data-testid="checkout-link">${t('order.openCheckout')}</a></p>`}
    ${mine && mine.status === 'PAID' && html`<p class="alert ok" role="status" data-testid="order-paid">${t('order.paidNotice', { n: number })}</p>`}
    <${Loading} state=${state}>
      ${(orders) => html`<div class="card"><div class="table-wrap"><table data-testid="orders">
        <thead><tr><th scope="col">№</th><th scope="col">${t('order.status')}</th><th scope="col" class="num">${t('order.total')}</th>
          <th scope="col" class="hide-small">${t('lines.client')}</th><th scope="col">${t('order.created')}</th><th scope="col"><span class="sr-only">${t('common.actions')}</span></th></tr></thead>
        <tbody>${[...orders.nodes].reverse().map((o) => {
          const open = o.payments.find((p) => p.status === 'PENDING' && safeHref(p.checkoutUrl));
          return html`<tr data-order=${o.orderNumber} aria-current=${String(o.orderNumber) === number ? 'true' : undefined}>
            <td>${o.orderNumber}</td>
            <td><${Badge} value=${o.status} text=${label('orderStatus', o.status)} /></td>
            <td class="num">${money(o.total, o.currency)}</td>
            <td class="hide-small">${o.client?.displayName || '—'}</td>
            <td>${date(o.createdAt)}</td>
            <td>${o.status === 'PENDING' && open && html`<a class="button secondary" href=${safeHref(open.checkoutUrl)} target="_blank" rel="noopener">${t('order.payCard')}</a>`}
              ${o.payments.filter((p) => p.invoiceNumber).map((p) => html`<small class="muted">${t('order.invoice', { n: p.invoiceNumber })}</small>`)}</td>
          </tr>`;
        })}</tbody>
      </table></div>
      <${NewerOlder} page=${orders} cursor=${cursor} setCursor=${setCursor} />
      </div>`}
    <//>
  </main>`;
}

export const ClientsPage = partnerOnly(ClientsPageInner);

export const LinesPage = partnerOnly(LinesPageInner);
