// The partner's money: balances, the ledger, and withdrawal requests.
import { useMemo, useState } from 'preact/hooks';
import { mutate, query } from '../api.js';
import { date, label, money, t } from '../i18n.js';
import { Badge, Field, FormError, Loading, NewerOlder, Notice, html, idempotencyKey, partnerOnly, useAction, useLoad } from '../ui.js';

const MONEY = `query Money($p: ID!, $before: String) { partner(id: $p) { id
  balance { currency withdrawable spendable pending held rewards bonuses }
  ledger(last: 20, before: $before) { totalCount pageInfo { hasPreviousPage startCursor }
    nodes { id kind pot amount currency pending availableAt createdAt orderNumber reason } }
  withdrawals(last: 20) { totalCount nodes { id number status amount currency createdAt paidAt rejectionReason overdue } } } }`;
const REQUEST = `mutation Withdraw($input: RequestWithdrawalInput!) { requestWithdrawal(input: $input) { withdrawal { id number status amount } } }`;

function MoneyPageInner({ partner }) {
  const [cursor, setCursor] = useState([null]);
  const state = useLoad(() => query(MONEY, { p: partner.id, before: cursor[cursor.length - 1] }).then((d) => d.partner), [partner.id, cursor]);
  const [formKey, setFormKey] = useState(0);
  const key = useMemo(idempotencyKey, [formKey]);
  const [withdraw, w] = useAction(async (amount) => {
    const r = await mutate(REQUEST, { input: { partnerId: partner.id, amount, idempotencyKey: key } });
    setFormKey(formKey + 1);
    state.reload();
    return r.requestWithdrawal.withdrawal;
  });
  return html`<main class="page" id="main">
    <h1>${t('nav.money')}</h1>
    <${Loading} state=${state}>
      ${(p) => html`
        <div class="grid">
          ${['withdrawable', 'spendable', 'pending', 'held'].map((k) => html`<div class="card">
            <div class="muted">${t(`money.${k}`)}</div><div class="stat" data-testid=${`balance-${k}`}>${money(p.balance[k], p.balance.currency)}</div></div>`)}
        </div>
        <section class="card" aria-labelledby="w-h">
          <h2 id="w-h">${t('money.withdrawals')}</h2>
          <${Notice}>${w.done && t('money.requested', { n: w.done.number })}<//>
          <form class="row" onSubmit=${(e) => { e.preventDefault(); withdraw(new FormData(e.currentTarget).get('amount')); }} novalidate>
            <${Field} label=${t('money.amount', { currency: p.balance.currency })} name="amount" inputmode="decimal" required error=${w.error} />
            <div><button type="submit" disabled=${w.busy}>${t('money.request')}</button></div>
          </form>
          <${FormError} error=${w.error} fields=${['amount']} />
          <div class="table-wrap"><table>
            <thead><tr><th scope="col">№</th><th scope="col">${t('order.status')}</th><th scope="col" class="num">${t('money.sum')}</th><th scope="col">${t('order.created')}</th></tr></thead>
            <tbody>${[...p.withdrawals.nodes].reverse().map((x) => html`<tr>
              <td>${x.number}</td>
              <td><${Badge} value=${x.status} text=${label('withdrawal', x.status)} />${x.rejectionReason && html`<br /><small class="muted">${x.rejectionReason}</small>`}</td>
              <td class="num">${money(x.amount, x.currency)}</td><td>${date(x.createdAt)}</td></tr>`)}</tbody>
          </table></div>
        </section>
        <section class="card" aria-labelledby="l-h">
          <h2 id="l-h">${t('money.ledger')}</h2>
          <div class="table-wrap"><table>
            <thead><tr><th scope="col">${t('money.when')}</th><th scope="col">${t('money.entry')}</th><th scope="col" class="num">${t('money.sum')}</th><th scope="col" class="hide-small">${t('money.available')}</th></tr></thead>
            <tbody>${[...p.ledger.nodes].reverse().map((e) => html`<tr>
              <td>${date(e.createdAt)}</td>
              <td>${label('ledger', e.kind)}${e.orderNumber ? ` · №${e.orderNumber}` : ''}${e.pending ? html` <${Badge} value="PENDING" text=${t('money.pendingShort')} />` : ''}</td>
              <td class="num">${money(e.amount, e.currency)}</td><td class="hide-small">${date(e.availableAt)}</td></tr>`)}</tbody>
          </table></div>
          <${NewerOlder} page=${p.ledger} cursor=${cursor} setCursor=${setCursor} />
        </section>`}
    <//>
  </main>`;
}

export const MoneyPage = partnerOnly(MoneyPageInner);
