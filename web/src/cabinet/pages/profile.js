// The person's account, the partner's public profile and links, and certification.
import { useState } from 'preact/hooks';
import { mutate, query } from '../api.js';
import { date, t } from '../i18n.js';
import { Field, FormError, Loading, Notice, html, safeHref, useAction, useLoad } from '../ui.js';

const PROFILE = `query Profile($p: ID!) { partner(id: $p) { id tier status referralLink serviceManagerLink
  profile { name description websiteUrl workEmail phone city country languages listed } } }`;
const UPDATE = `mutation UpdateProfile($input: UpdatePartnerProfileInput!) { updatePartnerProfile(input: $input) { partner { id } } }`;
const PASSWORD = `mutation ChangePassword($input: ChangePasswordInput!) { changePassword(input: $input) { user { id } } }`;
const ACCOUNT = `mutation Account($input: UpdateAccountInput!) { updateAccount(input: $input) { user { id displayName phone } } }`;
const CERT = `query Cert { certificationTests { id title description passPercent questionCount nextAttemptAt }
  myCertificates { id code testTitle scorePercent issuedAt valid verificationUrl } }`;
const START = `mutation Start($input: StartCertificationAttemptInput!) { startCertificationAttempt(input: $input) {
  attempt { id totalQuestions questions { id text options { id text } } } } }`;
const SUBMIT = `mutation Submit($input: SubmitCertificationAttemptInput!) { submitCertificationAttempt(input: $input) {
  attempt { id passed scorePercent correctAnswers certificate { code verificationUrl } } } }`;

const values = (e) => {
  e.preventDefault();
  return Object.fromEntries(new FormData(e.currentTarget).entries());
};

export function ProfilePage({ partner, viewer }) {
  const [saveAccount, account] = useAction((v) => {
    const input = { displayName: v.displayName };
    // A new phone needs the current password (the API's rule for sign-in identifiers).
    if ((v.phone || null) !== (viewer.phone || null)) {
      input.phone = v.phone || null;
      input.currentPassword = v.currentPassword;
    }
    return mutate(ACCOUNT, { input });
  });
  return html`<main class="page" id="main">
    <h1>${t('nav.profile')}</h1>
    <section class="card" aria-labelledby="acc-h">
      <h2 id="acc-h">${t('profile.account')}</h2>
      <${Notice}>${account.done && t('common.saved')}<//>
      <form onSubmit=${(e) => saveAccount(values(e))} novalidate>
        <${Field} label=${t('auth.name')} name="displayName" defaultValue=${viewer.displayName} required error=${account.error} />
        <${Field} label=${t('auth.phoneOptional')} name="phone" type="tel" defaultValue=${viewer.phone || ''} error=${account.error} />
        <${Field} label=${t('profile.currentPassword')} name="currentPassword" type="password" autocomplete="current-password" error=${account.error} />
        <p class="muted">${viewer.email}</p>
        <${FormError} error=${account.error} fields=${['displayName', 'phone', 'currentPassword']} />
        <button type="submit" disabled=${account.busy}>${t('common.save')}</button>
      </form>
    </section>
    <${ChangePassword} />
    ${partner && html`<${PartnerProfile} partner=${partner} />`}
    ${partner && html`<${Certification} />`}
  </main>`;
}

/** The password, from the current one (not while logged in as a client: the API refuses). */
function ChangePassword() {
  const [change, state] = useAction(async (form) => {
    await mutate(PASSWORD, { input: { currentPassword: form.get('currentPassword'), newPassword: form.get('newPassword') } });
    return true;
  });
  return html`<section class="card" aria-labelledby="pw-h">
    <h2 id="pw-h">${t('profile.password')}</h2>
    <${Notice}>${state.done && t('profile.passwordChanged')}<//>
    <form onSubmit=${(e) => { e.preventDefault(); const f = e.currentTarget; change(new FormData(f)).then((ok) => ok && f.reset()); }} novalidate>
      <${Field} label=${t('profile.oldPassword')} name="currentPassword" type="password" autocomplete="current-password" required error=${state.error} />
      <${Field} label=${t('auth.newPassword')} name="newPassword" type="password" autocomplete="new-password" required minlength="10" error=${state.error} hint=${t('auth.passwordHint')} />
      <${FormError} error=${state.error} fields=${['currentPassword', 'newPassword']} />
      <button type="submit" disabled=${state.busy}>${t('profile.changePassword')}</button>
    </form>
  </section>`;
}

function PartnerProfile({ partner }) {
  const state = useLoad(() => query(PROFILE, { p: partner.id }).then((d) => d.partner), [partner.id]);
  const [save, saving] = useAction((v) =>
    mutate(UPDATE, {
      input: {
        partnerId: partner.id,
        name: v.name,
        description: v.description || null,
        websiteUrl: v.websiteUrl || null,
        workEmail: v.workEmail || null,
        city: v.city || null,
        listed: v.listed === 'on',
      },
    }),
  );
  return html`<section class="card" aria-labelledby="pp-h">
    <h2 id="pp-h">${t('profile.partner')}</h2>
    <${Loading} state=${state}>
      ${(p) => html`
        <p>${t('profile.tier')}: <strong>${p.tier || '—'}</strong></p>
        <${Field} label=${t('profile.referralLink')} name="ref" value=${p.referralLink} readonly />
        <${Field} label=${t('profile.serviceManagerLink')} name="sm" value=${p.serviceManagerLink} readonly />
        <${Notice}>${saving.done && t('common.saved')}<//>
        <form onSubmit=${(e) => save(values(e))} novalidate>
          <${Field} label=${t('profile.publicName')} name="name" defaultValue=${p.profile.name} required error=${saving.error} />
          <${Field} as="textarea" label=${t('profile.description')} name="description" defaultValue=${p.profile.description || ''} error=${saving.error} />
          <${Field} label=${t('profile.website')} name="websiteUrl" type="url" defaultValue=${p.profile.websiteUrl || ''} error=${saving.error} />
          <${Field} label=${t('profile.workEmail')} name="workEmail" type="email" defaultValue=${p.profile.workEmail || ''} error=${saving.error} />
          <${Field} label=${t('profile.city')} name="city" defaultValue=${p.profile.city || ''} error=${saving.error} />
          <label class="check"><input type="checkbox" name="listed" defaultChecked=${p.profile.listed} />${t('profile.listed')}</label>
          <${FormError} error=${saving.error} fields=${['name', 'description', 'websiteUrl', 'workEmail', 'city']} />
          <button type="submit" disabled=${saving.busy}>${t('common.save')}</button>
        </form>`}
    <//>
  </section>`;
}

function Certification() {
  const state = useLoad(() => query(CERT), []);
  const [attempt, setAttempt] = useState(null);
  const [answers, setAnswers] = useState({});
  const [start, starting] = useAction(async (testId) => {
    const a = (await mutate(START, { input: { testId } })).startCertificationAttempt.attempt;
    setAnswers({});
    setAttempt(a);
  });
  const [submit, submitting] = useAction(async () => {
    const input = { attemptId: attempt.id, answers: Object.entries(answers).map(([questionId, id]) => ({ questionId, optionIds: [id] })) };
    const r = (await mutate(SUBMIT, { input })).submitCertificationAttempt.attempt;
    setAttempt(null);
    state.reload();
    return r;
  });
  return html`<section class="card" aria-labelledby="cert-h">
    <h2 id="cert-h">${t('profile.certification')}</h2>
    <${FormError} error=${starting.error || submitting.error} />
    ${submitting.done && html`<p class=${`alert ${submitting.done.passed ? 'ok' : 'error'}`} role="status">
      ${t(submitting.done.passed ? 'cert.passed' : 'cert.failed', { score: submitting.done.scorePercent })}</p>`}
    <${Loading} state=${state}>
      ${(d) => html`
        <ul>${d.myCertificates.map((c) => html`<li>${c.testTitle} · ${c.scorePercent} % · ${date(c.issuedAt)} · <a href=${safeHref(c.verificationUrl)}>${c.code}</a>${c.valid ? '' : ` (${t('cert.revoked')})`}</li>`)}</ul>
        ${!attempt && d.certificationTests.map((x) => html`<div class="row">
          <p><strong>${x.title}</strong> · ${t('cert.questions', { n: x.questionCount, pass: x.passPercent })}
          ${x.nextAttemptAt && html`<br /><small class="muted">${t('cert.nextAttempt', { date: date(x.nextAttemptAt) })}</small>`}</p>
          <div><button type="button" disabled=${starting.busy} onClick=${() => start(x.id)}>${t('cert.start')}</button></div>
        </div>`)}`}
    <//>
    ${attempt && html`<form onSubmit=${(e) => { e.preventDefault(); submit(); }}>
      ${attempt.questions.map((q, i) => html`<fieldset>
        <legend>${i + 1}. ${q.text}</legend>
        ${q.options.map((o) => html`<label class="check"><input type="radio" name=${q.id} value=${o.id} checked=${answers[q.id] === o.id}
          onChange=${() => setAnswers({ ...answers, [q.id]: o.id })} />${o.text}</label>`)}
      </fieldset>`)}
      <button type="submit" disabled=${submitting.busy}>${t('cert.submit')}</button>
    </form>`}
  </section>`;
}
