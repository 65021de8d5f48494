// The client's side: my partner (grant or revoke access, answer a partner's invitation or
// referral link), my lines (renew them), and my orders (in partner.js).
import { useEffect } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ACCEPT_SM, REFERRAL, mutate, query, returnTo } from '../api.js';
import { date, dateTime, label, t } from '../i18n.js';
import { Badge, FormError, Loading, Notice, html, useAction, useLoad } from '../ui.js';

const PARTNER = `query MyPartner { viewer { id myPartner { id name origin access attachedAt contacts { email phone websiteUrl } }
  partnerPrompts { id partnerName createdAt } } }`;
const GRANT = `mutation Grant { grantPartnerAccess { partner { id access } } }`;
const REVOKE = `mutation Revoke { revokePartnerAccess { partner { id access } } }`;
const JOIN = `mutation Join($input: PartnerCodeInput!) { joinPartner(input: $input) { prompt { id partnerName } } }`;
const RESPOND = `mutation Respond($input: RespondToPartnerInvitationInput!) { respondToPartnerInvitation(input: $input) { partner { id name } } }`;

export function MyPartnerPage() {
  const { query: params } = useLocation();
  const state = useLoad(() => query(PARTNER).then((d) => d.viewer), []);
  const [act, acting] = useAction(async (doc, variables, done) => {
    await mutate(doc, variables);
    state.reload();
    return done;
  });
  // Opened a partner's link while signed in: a referral link leaves the partner's invitation
  // waiting for a Yes; a service-manager link is confirmed here.
  const code = params.ref || params.sm || sessionStorage.getItem('pgw.ref');
  useEffect(() => {
    if (!code) return;
    sessionStorage.removeItem('pgw.ref');
    query(REFERRAL, { code }).then(
      (d) => act(d.referralPartner?.serviceManager ? ACCEPT_SM : JOIN, { input: { code } }, d.referralPartner?.serviceManager ? 'client.joined' : undefined),
      () => {},
    );
  }, [code]);
  const acting_as_partner = Boolean(returnTo.value);
  return html`<main class="page" id="main">
    <h1>${t('nav.myPartner')}</h1>
    <${FormError} error=${acting.error} />
    <${Notice}>${acting.done && t(acting.done)}<//>
    <${Loading} state=${state}>
      ${(v) => html`
        ${v.partnerPrompts.map((p) => html`<div class="card" role="region" aria-label=${t('client.invitation')}>
          <p>${t('client.invited', { partner: p.partnerName })}</p>
          <div class="actions">
            <button type="button" onClick=${() => act(RESPOND, { input: { promptId: p.id, accept: true } }, 'client.joined')}>${t('common.yes')}</button>
            <button type="button" class="secondary" onClick=${() => act(RESPOND, { input: { promptId: p.id, accept: false } })}>${t('common.no')}</button>
          </div>
        </div>`)}
        ${v.myPartner
          ? html`<section class="card">
              <h2>${v.myPartner.name}</h2>
              <p>${label('origin', v.myPartner.origin)} · ${t('client.since', { date: date(v.myPartner.attachedAt) })}</p>
              ${v.myPartner.contacts && html`<p>${v.myPartner.contacts.email} ${v.myPartner.contacts.phone || ''}</p>`}
              <p>${t('client.accessIs')} <${Badge} value=${v.myPartner.access} text=${label('access', v.myPartner.access)} /></p>
              <p class="muted">${t('client.accessHelp')}</p>
              ${!acting_as_partner && (v.myPartner.access === 'GRANTED'
                ? html`<button type="button" class="secondary" disabled=${acting.busy} onClick=${() => act(REVOKE, {}, 'client.revoked')}>${t('client.revoke')}</button>`
                : html`<button type="button" disabled=${acting.busy} onClick=${() => act(GRANT, {}, 'client.granted')}>${t('client.grant')}</button>`)}
            </section>`
          : html`<p class="card">${t('client.noPartner')}</p>`}`}
    <//>
  </main>`;
}

const LINES = `query MyLines { viewer { id organizations { id name } lines(first: 100) { totalCount
  nodes { id lineNumber name status daysLeft expiresAt channelCount channels { id status kind { name } } } } } }`;

export function MyLinesPage() {
  const { route } = useLocation();
  const state = useLoad(() => query(LINES).then((d) => d.viewer), []);
  return html`<main class="page" id="main">
    <h1>${t('nav.myLines')}</h1>
    <${Loading} state=${state}>
      ${({ lines, organizations }) => html`<div class="card">
      ${organizations.length > 0 && html`<div class="actions"><button type="button" onClick=${() => route(`/order?buy=${encodeURIComponent(organizations[0].id)}`)}>${t('lines.buy')}</button></div>`}
      <div class="table-wrap"><table class="stack" data-testid="my-lines">
        <thead><tr><th scope="col">${t('lines.line')}</th><th scope="col">${t('lines.status')}</th><th scope="col">${t('lines.expires')}</th>
          <th scope="col" class="hide-small">${t('lines.channels')}</th><th scope="col"><span class="sr-only">${t('common.actions')}</span></th></tr></thead>
        <tbody>${lines.nodes.map((l) => html`<tr>
          <td data-label=${t('lines.line')}>#${l.lineNumber} ${l.name}</td>
          <td data-label=${t('lines.status')}><${Badge} value=${l.status} text=${label('lineStatus', l.status)} /></td>
          <td data-label=${t('lines.expires')}>${date(l.expiresAt)}<br /><small class="muted">${t('lines.daysLeft', { n: l.daysLeft })}</small></td>
          <td class="hide-small">${l.channels.map((c) => c.kind?.name).filter(Boolean).join(', ') || '—'}</td>
          <td><button type="button" onClick=${() => route(`/order?renew=${encodeURIComponent(l.id)}`)}>${t('lines.renew')}</button></td>
        </tr>`)}</tbody>
      </table></div>
      ${lines.nodes.length === 0 && html`<p class="muted">${t('client.noLines')}</p>`}
      <p class="muted">${t('common.total', { n: lines.totalCount })} · ${dateTime(new Date())}</p>
      </div>`}
    <//>
  </main>`;
}
