// Before sign-in: sign in by email or phone, sign up (with a referral link's partner named),
// forgotten password, and the pages the emails' links land on.
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ACCEPT_SM, REFERRAL, mutate, query, setReturnTo, setSession } from '../api.js';
import { LANGUAGES, lang, setLanguage, t } from '../i18n.js';
import { Field, FormError, Notice, html, useAction, useLoad } from '../ui.js';

const VIEWER = 'id email phone displayName language emailVerified';
const AUTH = `accessToken refreshToken viewer { ${VIEWER} }`;

const LOG_IN = `mutation LogIn($input: LogInInput!) { logIn(input: $input) { ${AUTH} } }`;
const SIGN_UP = `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { ${AUTH} } }`;
const ACCEPT_INVITATION = `mutation AcceptInvitation($input: RespondToInvitationInput!) {
  acceptInvitation(input: $input) { organization { id name } } }`;

function form(e) {
  e.preventDefault();
  return Object.fromEntries(new FormData(e.currentTarget).entries());
}

export function SignIn({ brand }) {
  const { route, query: params } = useLocation();
  const [byPhone, setByPhone] = useState(false);
  const [run, state] = useAction(async (v) => {
    const input = byPhone ? { phone: v.phone, password: v.password } : { email: v.email, password: v.password };
    const r = await mutate(LOG_IN, { input });
    setReturnTo(null);
    setSession(r.logIn);
    route('/', true);
  });
  return html`<main class="page" id="main">
    <div class="card narrow">
      <h1>${t('auth.signInTitle', { brand: brand.displayName })}</h1>
      <${Notice}>${params.reset && t('auth.passwordSaved')}<//>
      <div class="row" role="group" aria-label=${t('auth.signInWith')}>
        <button type="button" class=${byPhone ? 'secondary' : ''} aria-pressed=${!byPhone} onClick=${() => setByPhone(false)}>${t('auth.email')}</button>
        <button type="button" class=${byPhone ? '' : 'secondary'} aria-pressed=${byPhone} onClick=${() => setByPhone(true)}>${t('auth.phone')}</button>
      </div>
      <form onSubmit=${(e) => run(form(e))} novalidate>
        ${byPhone
          ? html`<${Field} label=${t('auth.phone')} name="phone" type="tel" autocomplete="tel" required error=${state.error} />`
          : html`<${Field} label=${t('auth.email')} name="email" type="email" autocomplete="username" required error=${state.error} />`}
        <${Field} label=${t('auth.password')} name="password" type="password" autocomplete="current-password" required error=${state.error} />
        <${FormError} error=${state.error} fields=${['email', 'phone', 'password']} />
        <button type="submit" disabled=${state.busy}>${t('auth.signIn')}</button>
      </form>
      <p><a href="/forgot-password">${t('auth.forgot')}</a></p>
      <p>${t('auth.noAccount')} <a href="/sign-up">${t('auth.signUp')}</a></p>
    </div>
  </main>`;
}

export function SignUp({ brand }) {
  const { route, query: params } = useLocation();
  const code = params.ref || params.sm || sessionStorage.getItem('pgw.ref') || '';
  const invitation = params.token || '';
  const partner = useLoad(
    () => (code ? query(REFERRAL, { code }).then((d) => d.referralPartner) : Promise.resolve(null)),
    [code],
  );
  const [run, state] = useAction(async (v) => {
    const input = {
      displayName: v.displayName,
      email: v.email,
      password: v.password,
      language: lang.value.toUpperCase(),
    };
    if (v.phone) input.phone = v.phone;
    // Only a code that names a partner of this brand goes along: a stale link never blocks sign-up.
    const named = partner.data;
    if (named && !named.serviceManager) input.referralCode = code;
    if (invitation) input.invitationToken = invitation;
    const r = await mutate(SIGN_UP, { input });
    sessionStorage.removeItem('pgw.ref');
    setReturnTo(null);
    setSession(r.signUp);
    // A service-manager link is confirmed by the new account itself.
    if (named?.serviceManager) await mutate(ACCEPT_SM, { input: { code } }).catch(() => {});
    route('/', true);
  });
  const p = partner.data;
  return html`<main class="page" id="main">
    <div class="card narrow">
      <h1>${t('auth.signUpTitle', { brand: brand.displayName })}</h1>
      ${p && html`<p class="alert ok" data-testid="referral">${t(p.serviceManager ? 'auth.serviceManagerOf' : 'auth.referredBy', { partner: p.name })}</p>`}
      ${code && partner.data === null && !partner.loading && html`<p class="alert error" role="alert">${t('auth.badReferral')}</p>`}
      <${Field} as="select" label=${t('common.language')} name="language" value=${lang.value} onChange=${(e) => setLanguage(e.currentTarget.value)}>
        ${LANGUAGES.map(([c, name]) => html`<option value=${c}>${name}</option>`)}
      <//>
      <form onSubmit=${(e) => run(form(e))} novalidate>
        <${Field} label=${t('auth.name')} name="displayName" autocomplete="name" required error=${state.error} />
        <${Field} label=${t('auth.email')} name="email" type="email" autocomplete="email" required error=${state.error} />
        <${Field} label=${t('auth.phoneOptional')} name="phone" type="tel" autocomplete="tel" error=${state.error} />
        <${Field} label=${t('auth.password')} name="password" type="password" autocomplete="new-password" required minlength="10" error=${state.error} hint=${t('auth.passwordHint')} />
        <${FormError} error=${state.error} fields=${['displayName', 'email', 'phone', 'password']} />
        <button type="submit" disabled=${state.busy}>${t('auth.createAccount')}</button>
      </form>
      <p>${t('auth.haveAccount')} <a href="/">${t('auth.signIn')}</a></p>
    </div>
  </main>`;
}

const REQUEST_RESET = `mutation RequestReset($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input) { accepted } }`;
const RESET = `mutation Reset($input: ResetPasswordInput!) { resetPassword(input: $input) { user { id } } }`;
const VERIFY = `mutation Verify($input: VerifyEmailInput!) { verifyEmail(input: $input) { user { id emailVerified } } }`;

export function ForgotPassword() {
  const [run, state] = useAction((v) => mutate(REQUEST_RESET, { input: { email: v.email } }));
  return html`<main class="page" id="main">
    <div class="card narrow">
      <h1>${t('auth.forgotTitle')}</h1>
      <${Notice}>${state.done && t('auth.resetSent')}<//>
      <form onSubmit=${(e) => run(form(e))} novalidate>
        <${Field} label=${t('auth.email')} name="email" type="email" autocomplete="email" required error=${state.error} />
        <${FormError} error=${state.error} fields=${['email']} />
        <button type="submit" disabled=${state.busy}>${t('auth.sendLink')}</button>
      </form>
      <p><a href="/">${t('auth.backToSignIn')}</a></p>
    </div>
  </main>`;
}

/** `/reset-password?token=` and `/set-password?token=` (a client a partner created). */
export function ResetPassword({ setting }) {
  const { route, query: params } = useLocation();
  const [run, state] = useAction(async (v) => {
    await mutate(RESET, { input: { token: params.token || '', newPassword: v.newPassword } });
    route('/?reset=1', true);
  });
  return html`<main class="page" id="main">
    <div class="card narrow">
      <h1>${t(setting ? 'auth.setPasswordTitle' : 'auth.resetTitle')}</h1>
      <form onSubmit=${(e) => run(form(e))} novalidate>
        <${Field} label=${t('auth.newPassword')} name="newPassword" type="password" autocomplete="new-password" required minlength="10" error=${state.error} hint=${t('auth.passwordHint')} />
        <${FormError} error=${state.error} fields=${['newPassword']} />
        <button type="submit" disabled=${state.busy}>${t('auth.savePassword')}</button>
      </form>
    </div>
  </main>`;
}

export function VerifyEmail() {
  const { query: params } = useLocation();
  const state = useLoad(() => mutate(VERIFY, { input: { token: params.token || '' } }), [params.token]);
  return html`<main class="page" id="main">
    <div class="card narrow">
      <h1>${t('auth.verifyTitle')}</h1>
      ${state.loading && html`<p aria-busy="true">${t('common.loading')}</p>`}
      ${state.data && html`<p class="alert ok" role="status">${t('auth.verified')}</p>`}
      ${state.error && html`<p class="alert error" role="alert">${t('auth.verifyFailed')}</p>`}
      <p><a href="/">${t('auth.continue')}</a></p>
    </div>
  </main>`;
}

/** `/invitations/accept?token=` for someone already signed in: join the organization. */
export function AcceptInvitation() {
  const { query: params } = useLocation();
  const state = useLoad(
    () => mutate(ACCEPT_INVITATION, { input: { token: params.token || '' } }).then((d) => d.acceptInvitation.organization),
    [params.token],
  );
  return html`<main class="page" id="main">
    <div class="card narrow">
      <h1>${t('auth.invitationTitle')}</h1>
      ${state.loading && html`<p aria-busy="true">${t('common.loading')}</p>`}
      ${state.data && html`<p class="alert ok" role="status">${t('auth.invitationAccepted', { organization: state.data.name })}</p>`}
      ${state.error && html`<p class="alert error" role="alert">${t('auth.invitationFailed')}</p>`}
      <p><a href="/">${t('auth.continue')}</a></p>
    </div>
  </main>`;
}
