// The bell: the unread count and the newest notices, kept live by the `notificationAdded`
// subscription over graphql-ws (no reload), and the notification settings per kind and channel.
import { useEffect, useState } from 'preact/hooks';
import { live, mutate, query, session, subscribe } from '../api.js';
import { dateTime, label, t } from '../i18n.js';
import { FormError, Loading, html, safeHref, useAction, useLoad } from '../ui.js';

const NOTICE = 'id title body link read createdAt kind';
const LIST = `query Bell { unreadNotificationCount notifications(first: 30) { nodes { ${NOTICE} } } }`;
const ADDED = `subscription Added { notificationAdded { ${NOTICE} } }`;
const MARK = `mutation Mark($input: MarkNotificationsReadInput!) { markNotificationsRead(input: $input) { marked } }`;
const SETTINGS = `query Settings { notificationSettings { kinds { kind bell email telegram optIn } } }`;
const UPDATE = `mutation UpdateSettings($input: UpdateNotificationSettingsInput!) {
  updateNotificationSettings(input: $input) { kinds { kind bell email telegram optIn } } }`;

/** The bell's state, shared by the header and the notifications page. */
export function useBell() {
  const [state, setState] = useState({ unread: 0, items: [], live: null });
  const token = session.value?.accessToken;
  useEffect(() => {
    if (!token) return undefined;
    let cancelled = false;
    // Subscribe first, then read the list, merging by id: nothing written in between is lost.
    const stop = subscribe(ADDED, {}, (data) => {
      const n = data.notificationAdded;
      setState((s) =>
        s.items.some((i) => i.id === n.id)
          ? s
          : { unread: s.unread + (n.read ? 0 : 1), items: [n, ...s.items].slice(0, 50), live: n },
      );
    });
    query(LIST).then(
      (d) => {
        if (cancelled) return;
        setState((s) => {
          const seen = new Set(d.notifications.nodes.map((i) => i.id));
          const newer = s.items.filter((i) => !seen.has(i.id));
          return { ...s, unread: d.unreadNotificationCount + newer.filter((i) => !i.read).length, items: [...newer, ...d.notifications.nodes] };
        });
      },
      () => {},
    );
    return () => {
      cancelled = true;
      stop();
    };
  }, [token]);
  const markAll = async () => {
    await mutate(MARK, { input: { all: true } });
    setState((s) => ({ ...s, unread: 0, items: s.items.map((i) => ({ ...i, read: true })) }));
  };
  return { ...state, markAll };
}

export function Bell({ bell }) {
  return html`<a class="bell button" href="/notifications" data-testid="bell" data-live=${live.value ? 'yes' : 'no'}
      aria-label=${t('bell.label', { n: bell.unread })}>
    <svg aria-hidden="true" width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" /><path d="M13.7 21a2 2 0 0 1-3.4 0" /></svg>
    ${bell.unread > 0 && html`<span class="count" data-testid="bell-count">${bell.unread}</span>`}
    <span class="sr-only" aria-live="polite">${bell.live ? bell.live.title : ''}</span>
  </a>`;
}

/** A notice's link, kept inside the cabinet when it points at this host. */
function href(link) {
  const safe = safeHref(link);
  if (!safe) return null;
  const u = new URL(safe);
  return u.host === window.location.host ? u.pathname + u.search : safe;
}

export function NotificationsPage({ bell }) {
  return html`<main class="page" id="main">
    <h1>${t('nav.notifications')}</h1>
    <section class="card" aria-labelledby="bell-h">
      <div class="row">
        <h2 id="bell-h">${t('bell.recent')}</h2>
        <div><button type="button" class="secondary" disabled=${!bell.unread} onClick=${bell.markAll}>${t('bell.markAll')}</button></div>
      </div>
      ${bell.items.length === 0 && html`<p class="muted">${t('bell.empty')}</p>`}
      <ul class="notices" data-testid="notices">
        ${bell.items.map(
          (n) => html`<li class=${n.read ? '' : 'unread'}>
            <div>${href(n.link) ? html`<a href=${href(n.link)}>${n.title}</a>` : n.title}</div>
            <div class="muted">${n.body}</div>
            <small class="muted">${dateTime(n.createdAt)}</small>
          </li>`,
        )}
      </ul>
    </section>
    <${Settings} />
  </main>`;
}

function Settings() {
  const state = useLoad(() => query(SETTINGS).then((d) => d.notificationSettings.kinds), []);
  // A switch shows its new state at once; a refused change puts it back.
  const [local, setLocal] = useState({});
  const [run, action] = useAction(async (kind, channel, enabled) => {
    const key = `${kind}/${channel}`;
    setLocal((l) => ({ ...l, [key]: enabled }));
    try {
      await mutate(UPDATE, { input: { settings: [{ kind, channel, enabled }] } });
    } catch (e) {
      setLocal((l) => ({ ...l, [key]: undefined }));
      throw e;
    }
    state.reload();
  });
  return html`<section class="card" aria-labelledby="settings-h">
    <h2 id="settings-h">${t('bell.settings')}</h2>
    <${FormError} error=${action.error} />
    <${Loading} state=${state}>
      ${(kinds) => html`<div class="table-wrap"><table>
        <thead><tr><th scope="col">${t('bell.kind')}</th><th scope="col">${t('bell.bell')}</th><th scope="col">${t('bell.email')}</th><th scope="col">Telegram</th></tr></thead>
        <tbody>
          ${kinds.map(
            (k) => html`<tr>
              <th scope="row">${label('kind', k.kind)}</th>
              ${['BELL', 'EMAIL', 'TELEGRAM'].map((ch) => {
                const on = local[`${k.kind}/${ch}`] ?? k[ch.toLowerCase()];
                return html`<td><input type="checkbox" checked=${on}
                  aria-label=${`${label('kind', k.kind)}: ${ch === 'TELEGRAM' ? 'Telegram' : t(`bell.${ch.toLowerCase()}`)}`}
                  onChange=${(e) => run(k.kind, ch, e.currentTarget.checked)} /></td>`;
              })}
            </tr>`,
          )}
        </tbody>
      </table></div>`}
    <//>
  </section>`;
}
