// The reference cabinet (docs/cabinet.md): one app for every brand. The host picks the brand
// (the gateway resolves it from `Host`); its name, logo, favicon, colours and language come
// from `tenant { branding }` before sign-in.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { LocationProvider, Router, Route, useLocation } from 'preact-iso';
import { endActingAsClient, live, mutate, query, returnTo, session, setSession, signOut } from './api.js';
import { LANGUAGES, initialLanguage, lang, setLanguage, t } from './i18n.js';
import { html, useLoad, Loading } from './ui.js';
import { AcceptInvitation, ForgotPassword, ResetPassword, SignIn, SignUp, VerifyEmail } from './pages/auth.js';
import { Bell, NotificationsPage, useBell } from './pages/bell.js';
import { ClientsPage, LinesPage, OrderPage, OrdersPage } from './pages/partner.js';
import { MoneyPage } from './pages/money.js';
import { LeadsPage } from './pages/leads.js';
import { ProfilePage } from './pages/profile.js';
import { MyLinesPage, MyPartnerPage } from './pages/client.js';

const TENANT = `query Brand { tenant { id displayName slug currency defaultLanguage
  branding { logoUrl faviconUrl primaryColor accentColor supportEmail supportPhone supportUrl } } }`;

const VIEWER = `query Me { viewer { id email phone displayName language isTenantAdmin
  organizations { id name viewerRole partner { id status tier referralLink } }
  myPartner { id name access } } }`;

const SET_LANGUAGE = `mutation Lang($input: UpdateAccountInput!) { updateAccount(input: $input) { user { id language } } }`;

/** Black or white, whichever reads better on `hex` (WCAG relative luminance). */
function onColour(hex) {
  const c = /^#?([0-9a-f]{6})$/i.exec(hex || '');
  if (!c) return '#fff';
  const [r, g, b] = [0, 2, 4].map((i) => {
    const v = parseInt(c[1].slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return (1.05 / (l + 0.05)) >= ((l + 0.05) / 0.05) ? '#fff' : '#000';
}

function applyBrand(brand) {
  const root = document.documentElement.style;
  root.setProperty('--brand', brand.branding.primaryColor);
  root.setProperty('--accent', brand.branding.accentColor);
  root.setProperty('--on-brand', onColour(brand.branding.primaryColor));
  document.title = brand.displayName;
  if (brand.branding.faviconUrl) document.getElementById('favicon').href = brand.branding.faviconUrl;
}

function Header({ brand, viewer, bell }) {
  const leave = async () => {
    await signOut();
    window.location.assign('/');
  };
  const choose = (e) => {
    const code = e.currentTarget.value;
    setLanguage(code);
    // The person's own language follows; never the client's while the partner acts as them.
    if (viewer && !returnTo.value) mutate(SET_LANGUAGE, { input: { language: code.toUpperCase() } }).catch(() => {});
  };
  return html`<header class="top">
    <a class="skip" href="#main">${t('nav.skip')}</a>
    <div class="top-inner">
      <a class="brand" href="/" data-testid="brand">
        ${brand.branding.logoUrl && html`<img src=${brand.branding.logoUrl} alt="" />`}
        <span data-testid="brand-name">${brand.displayName}</span>
      </a>
      <div class="top-tools">
        <label class="sr-only" for="lang">${t('common.language')}</label>
        <select id="lang" value=${lang.value} onChange=${choose}>
          ${LANGUAGES.map(([c, name]) => html`<option value=${c}>${name}</option>`)}
        </select>
        ${viewer && html`<${Bell} bell=${bell} />`}
        ${viewer && html`<button type="button" onClick=${leave}>${t('nav.signOut')}</button>`}
      </div>
    </div>
  </header>`;
}

function Tabs({ items }) {
  const { path } = useLocation();
  return html`<nav class="tabs" aria-label=${t('nav.sections')}>
    <ul>
      ${items.map(
        ([href, key]) => html`<li><a href=${href} aria-current=${path === href || path.startsWith(`${href}/`) ? 'page' : undefined}>${t(key)}</a></li>`,
      )}
    </ul>
  </nav>`;
}

function ImpersonationBanner({ viewer }) {
  const END = `mutation End { endImpersonation { ended } }`;
  const back = async () => {
    await mutate(END).catch(() => {});
    endActingAsClient();
    window.location.assign('/clients');
  };
  return html`<div class="banner" role="region" aria-label=${t('impersonation.region')}>
    <span data-testid="impersonation">${t('impersonation.banner', { client: viewer.displayName, email: viewer.email })}</span>
    <button type="button" onClick=${back}>${t('impersonation.return')}</button>
  </div>`;
}

function SignedIn({ brand }) {
  const me = useLoad(() => query(VIEWER).then((d) => d.viewer), [session.value?.accessToken]);
  const bell = useBell();
  useEffect(() => {
    if (me.data?.language && !new URLSearchParams(window.location.search).get('lang')) {
      setLanguage(me.data.language, false);
    }
  }, [me.data?.language]);
  const gone = me.error?.code === 'UNAUTHENTICATED' || (me.data === null && !me.loading);
  useEffect(() => {
    // The session ended: a client session hands back to the partner's, else sign in again.
    if (gone) returnTo.value ? endActingAsClient() : setSession(null);
  }, [gone]);
  if (gone) return null;
  return html`<${Loading} state=${me}>
    ${(viewer) => {
      const org = viewer.organizations.find((o) => o.partner && o.partner.status === 'APPROVED');
      const partner = org?.partner ? { ...org.partner, organization: org } : null;
      const tabs = partner
        ? [['/clients', 'nav.clients'], ['/lines', 'nav.lines'], ['/orders', 'nav.orders'], ['/money', 'nav.money'], ['/partner/leads', 'nav.leads'], ['/notifications', 'nav.notifications'], ['/profile', 'nav.profile']]
        : [['/my/lines', 'nav.myLines'], ['/my/orders', 'nav.myOrders'], ['/my/partner', 'nav.myPartner'], ['/notifications', 'nav.notifications'], ['/profile', 'nav.profile']];
      const home = partner ? '/clients' : '/my/lines';
      return html`
        ${returnTo.value && html`<${ImpersonationBanner} viewer=${viewer} />`}
        <${Header} brand=${brand} viewer=${viewer} bell=${bell} />
        <${Tabs} items=${tabs} />
        <${PartnerLink} />
        <${Router}>
          <${Route} path="/" component=${() => html`<${Redirect} to=${home} />`} />
          <${Route} path="/clients" component=${ClientsPage} partner=${partner} brand=${brand} />
          <${Route} path="/lines" component=${partner ? LinesPage : MyLinesPage} partner=${partner} brand=${brand} bell=${bell} />
          <${Route} path="/lines/:no" component=${partner ? LinesPage : MyLinesPage} partner=${partner} brand=${brand} bell=${bell} />
          <${Route} path="/partner/clients" component=${ClientsPage} partner=${partner} brand=${brand} />
          <${Route} path="/partner/withdrawals" component=${MoneyPage} partner=${partner} brand=${brand} />
          <${Route} path="/partner/leads/free" component=${LeadsPage} partner=${partner} brand=${brand} />
          <${Route} path="/settings/partner" component=${MyPartnerPage} viewer=${viewer} brand=${brand} />
          <${Route} path="/order" component=${OrderPage} partner=${partner} brand=${brand} viewer=${viewer} />
          <${Route} path="/orders" component=${OrdersPage} partner=${partner} bell=${bell} />
          <${Route} path="/orders/:number" component=${OrdersPage} partner=${partner} bell=${bell} />
          <${Route} path="/money" component=${MoneyPage} partner=${partner} brand=${brand} />
          <${Route} path="/partner/leads" component=${LeadsPage} partner=${partner} brand=${brand} />
          <${Route} path="/partner/leads/:number" component=${LeadsPage} partner=${partner} brand=${brand} />
          <${Route} path="/notifications" component=${NotificationsPage} bell=${bell} />
          <${Route} path="/profile" component=${ProfilePage} partner=${partner} viewer=${viewer} brand=${brand} />
          <${Route} path="/my/lines" component=${MyLinesPage} viewer=${viewer} brand=${brand} />
          <${Route} path="/my/orders" component=${OrdersPage} bell=${bell} />
          <${Route} path="/my/partner" component=${MyPartnerPage} viewer=${viewer} brand=${brand} />
          <${Route} path="/verify-email" component=${VerifyEmail} />
          <${Route} path="/invitations/accept" component=${AcceptInvitation} />
          <${Route} path="/sign-up" component=${() => html`<${Redirect} to=${home} />`} />
          <${Route} default component=${() => html`<${Redirect} to=${home} />`} />
        <//>
      `;
    }}
  <//>`;
}

function Redirect({ to }) {
  const { route } = useLocation();
  useEffect(() => route(to, true), [to]);
  return null;
}

function SignedOut({ brand }) {
  return html`
    <${Header} brand=${brand} />
    <${Router}>
      <${Route} path="/sign-up" component=${SignUp} brand=${brand} />
      <${Route} path="/invitations/accept" component=${SignUp} brand=${brand} />
      <${Route} path="/forgot-password" component=${ForgotPassword} />
      <${Route} path="/reset-password" component=${ResetPassword} />
      <${Route} path="/set-password" component=${ResetPassword} setting=${true} />
      <${Route} path="/verify-email" component=${VerifyEmail} />
      <${Route} default component=${SignIn} brand=${brand} />
    <//>
  `;
}

function App() {
  const [brand, setBrand] = useState(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    query(TENANT).then(
      (d) => {
        initialLanguage(d.tenant.defaultLanguage.toLowerCase());
        applyBrand(d.tenant);
        setBrand(d.tenant);
      },
      () => {
        initialLanguage((navigator.language || 'en').slice(0, 2));
        setFailed(true);
      },
    );
  }, []);
  // A referral (`?ref=`) or service-manager (`?sm=`) link: the code waits in the tab until
  // sign-up or, for someone signed in, "My partner" uses it.
  const params = new URLSearchParams(window.location.search);
  const ref = params.get('ref') || params.get('sm');
  if (ref) sessionStorage.setItem('pgw.ref', ref);
  lang.value; // re-render on a language change
  if (failed) return html`<main class="page" id="main"><p class="alert error" role="alert">${t('common.noBrand')}</p></main>`;
  if (!brand) return html`<main class="boot" aria-busy="true">…</main>`;
  return html`<${LocationProvider}>
    ${session.value
      ? html`<${SignedIn} brand=${brand} />`
      : html`${ref && html`<${RefRedirect} />`}<${SignedOut} brand=${brand} />`}
  <//>`;
}

/** Signed in with a partner's link open: "My partner" answers it. */
function PartnerLink() {
  const { path, route } = useLocation();
  useEffect(() => {
    if (sessionStorage.getItem('pgw.ref') && path !== '/my/partner') route('/my/partner', true);
  }, [path]);
  return null;
}

function RefRedirect() {
  const { path, route, url } = useLocation();
  useEffect(() => {
    if (path !== '/sign-up') route(`/sign-up${url.slice(path.length)}`, true);
  }, [path]);
  return null;
}

render(html`<${App} />`, document.getElementById('app'));
