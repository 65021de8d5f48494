// The leads marketplace: free leads to take, and the partner's own leads with their status,
// comments and release.
import { useEffect, useState } from 'preact/hooks';
import { mutate, query } from '../api.js';
import { dateTime, label, t } from '../i18n.js';
import { Badge, Field, FormError, Loading, html, partnerOnly, useAction, useLoad } from '../ui.js';

const LEAD = 'id number status task contactName company country language features createdAt takenAt contactsVisible email phone partnerName';
const LEADS = `query Leads($p: ID!) {
  freeLeads(first: 20) { totalCount nodes { ${LEAD} } }
  partner(id: $p) { id leads(last: 50) { totalCount nodes { ${LEAD} comments { id authorName body createdAt } } } } }`;
const TAKE = `mutation Take($input: TakeLeadInput!) { takeLead(input: $input) { lead { id status } } }`;
const STATUS = `mutation Status($input: SetLeadStatusInput!) { setLeadStatus(input: $input) { lead { id status } } }`;
const COMMENT = `mutation Comment($input: AddLeadCommentInput!) { addLeadComment(input: $input) { comment { id } } }`;
const RELEASE = `mutation Release($input: LeadIdInput!) { releaseLead(input: $input) { lead { id status } } }`;

function LeadsPageInner({ partner, number }) {
  const state = useLoad(() => query(LEADS, { p: partner.id }), [partner.id]);
  // `/partner/leads/<n>` (a notice's link) brings that lead into view.
  useEffect(() => {
    if (state.data && number) document.getElementById(`lead-${number}`)?.scrollIntoView({ block: 'start' });
  }, [state.data, number]);
  const [act, acting] = useAction(async (doc, input) => {
    await mutate(doc, { input });
    state.reload();
    return true;
  });
  return html`<main class="page" id="main">
    <h1>${t('nav.leads')}</h1>
    <${FormError} error=${acting.error} />
    <${Loading} state=${state}>
      ${(d) => html`
        <section class="card" aria-labelledby="free-h">
          <h2 id="free-h">${t('leads.free')} (${d.freeLeads.totalCount})</h2>
          ${d.freeLeads.nodes.length === 0 && html`<p class="muted">${t('leads.none')}</p>`}
          ${d.freeLeads.nodes.map((l) => html`<article class="card">
            <h3>№${l.number} · ${l.company || l.contactName}</h3>
            <p>${l.task}</p>
            <p class="muted">${[l.country, l.language, ...l.features].filter(Boolean).join(' · ')} · ${dateTime(l.createdAt)}</p>
            <button type="button" disabled=${acting.busy} onClick=${() => act(TAKE, { leadId: l.id, partnerId: partner.id })}>${t('leads.take')}</button>
          </article>`)}
        </section>
        <section class="card" aria-labelledby="mine-h">
          <h2 id="mine-h">${t('leads.mine')} (${d.partner.leads.totalCount})</h2>
          ${[...d.partner.leads.nodes].reverse().map((l) => html`<${MyLead} lead=${l} act=${act} busy=${acting.busy} current=${String(l.number) === number} />`)}
        </section>`}
    <//>
  </main>`;
}

function MyLead({ lead, act, busy, current }) {
  const [body, setBody] = useState('');
  const open = lead.status === 'NEW' || lead.status === 'IN_WORK';
  return html`<article class=${current ? 'card current' : 'card'} id=${`lead-${lead.number}`} aria-current=${current ? 'true' : undefined}>
    <h3>№${lead.number} · ${lead.company || lead.contactName} <${Badge} value=${lead.status} text=${label('lead', lead.status)} /></h3>
    <p>${lead.task}</p>
    ${lead.contactsVisible && html`<p>${lead.contactName} · ${lead.email || ''} ${lead.phone || ''}</p>`}
    ${open && html`<div class="row">
      <${Field} as="select" label=${t('leads.status')} name="status" value=${lead.status}
        onChange=${(e) => act(STATUS, { leadId: lead.id, status: e.currentTarget.value })}>
        ${['NEW', 'IN_WORK', 'SUCCESS', 'FAILURE'].map((s) => html`<option value=${s}>${label('lead', s)}</option>`)}
      <//>
      <div><button type="button" class="secondary" disabled=${busy} onClick=${() => act(RELEASE, { leadId: lead.id })}>${t('leads.release')}</button></div>
    </div>`}
    <ul class="comments">${(lead.comments || []).map((c) => html`<li><strong>${c.authorName}</strong> · <small class="muted">${dateTime(c.createdAt)}</small><br />${c.body}</li>`)}</ul>
    <form class="row" onSubmit=${(e) => { e.preventDefault(); if (body.trim()) act(COMMENT, { leadId: lead.id, body }).then((ok) => ok && setBody('')); }}>
      <${Field} label=${t('leads.comment')} name="body" value=${body} onInput=${(e) => setBody(e.currentTarget.value)} />
      <div><button type="submit" disabled=${busy}>${t('leads.addComment')}</button></div>
    </form>
  </article>`;
}

export const LeadsPage = partnerOnly(LeadsPageInner);
