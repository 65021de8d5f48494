// The cabinet's link to the gateway: GraphQL over HTTP by urql, the bell's subscription over
// graphql-ws, and the session (access and refresh tokens) kept in localStorage per host.
import { Client, fetchExchange, CombinedError } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';
import { signal } from '@preact/signals';

const KEY = 'pgw.session';
const STACK = 'pgw.returnTo';

function load(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || 'null');
  } catch {
    return null;
  }
}
function save(key, value) {
  if (value == null) localStorage.removeItem(key);
  else localStorage.setItem(key, JSON.stringify(value));
}

/** The signed-in session: `{ accessToken, refreshToken, viewer }`, or null. */
export const session = signal(load(KEY));
/** The partner's own session while they act as a client ("log in as client"). */
export const returnTo = signal(load(STACK));

export function setSession(payload, { keepSocket = false } = {}) {
  const value = payload
    ? { accessToken: payload.accessToken, refreshToken: payload.refreshToken, viewer: payload.viewer }
    : null;
  save(KEY, value);
  session.value = value;
  if (!keepSocket) resetSocket();
}

export function setReturnTo(value) {
  save(STACK, value);
  returnTo.value = value;
}

const endpoint = '/graphql';

const client = new Client({
  url: endpoint,
  exchanges: [fetchExchange],
  requestPolicy: 'network-only',
  preferGetMethod: false,
  fetchOptions: () => {
    const token = session.value?.accessToken;
    return { headers: token ? { authorization: `Bearer ${token}` } : {} };
  },
});

/** The first error's code and field (`extensions.code`, `extensions.field`), for the UI. */
export function describe(error) {
  if (!error) return null;
  const gql = error.graphQLErrors?.[0];
  if (gql) {
    return {
      code: gql.extensions?.code || 'ERROR',
      field: gql.extensions?.field || null,
      message: gql.message,
    };
  }
  return { code: 'NETWORK', field: null, message: error.message };
}

/** An error the caller can show: `code`, `field` and the API's English message. */
export class ApiError extends Error {
  constructor(info) {
    super(info.message);
    this.code = info.code;
    this.field = info.field;
  }
}

const REFRESH = `mutation Refresh($input: RefreshSessionInput!) {
  refreshSession(input: $input) { accessToken refreshToken viewer { id } }
}`;

/** Seconds left on the access token (from its `exp` claim); 0 when unknown or past. */
function secondsLeft(token) {
  try {
    const claims = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return Math.max(0, claims.exp - Date.now() / 1000);
  } catch {
    return 0;
  }
}

let refreshing = null;
/** Exchanges the one-use refresh token once, however many callers ask at the same time.
 * The request carries no `Authorization`: the expired token would be refused first. */
export async function refresh() {
  const current = session.value;
  if (!current?.refreshToken) return false;
  refreshing ||= client
    .mutation(REFRESH, { input: { refreshToken: current.refreshToken } }, { fetchOptions: { headers: {} } })
    .toPromise()
    .then((r) => {
      const p = r.data?.refreshSession;
      if (!p) {
        setSession(null);
        return false;
      }
      setSession({ ...p, viewer: current.viewer }, { keepSocket: true });
      return true;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

async function run(kind, doc, variables, retried) {
  const result = await client[kind](doc, variables).toPromise();
  if (result.error) {
    const info = describe(result.error);
    if (info.code === 'UNAUTHENTICATED' && !retried && session.value?.refreshToken) {
      if (await refresh()) return run(kind, doc, variables, true);
    }
    if (info.code === 'UNAUTHENTICATED' && session.value && !session.value.refreshToken) {
      // A "log in as client" session ended (it has no refresh token): back to the partner.
      endActingAsClient();
    }
    throw new ApiError(info);
  }
  return result.data;
}

/** Leaves a "log in as client" session for the partner's own, if one is kept. */
export function endActingAsClient() {
  const own = returnTo.value;
  setReturnTo(null);
  setSession(own);
}

/** Runs a query; resolves to its data or rejects with an {@link ApiError}. */
export const query = (doc, variables = {}) => run('query', doc, variables, false);
/** Runs a mutation; resolves to its data or rejects with an {@link ApiError}. */
export const mutate = (doc, variables = {}) => run('mutation', doc, variables, false);

export { CombinedError };

let socket = null;
/** Whether the bell's WebSocket is connected (acknowledged), for the page to show. */
export const live = signal(false);

function resetSocket() {
  if (socket) socket.dispose();
  socket = null;
  live.value = false;
}
function ws() {
  if (!socket) {
    const url = new URL(endpoint, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = createWsClient({
      url: url.toString(),
      lazy: true,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      // Every (re)connection presents a live token: refreshed first when it is about to end.
      connectionParams: async () => {
        if (session.value?.accessToken && secondsLeft(session.value.accessToken) < 30) await refresh();
        const token = session.value?.accessToken;
        return token ? { Authorization: `Bearer ${token}` } : {};
      },
      on: {
        connected: () => {
          live.value = true;
        },
        closed: () => {
          live.value = false;
        },
      },
    });
  }
  return socket;
}

/** Subscribes over the WebSocket; returns the function that stops it. */
export function subscribe(doc, variables, onData) {
  return ws().subscribe(
    { query: doc, variables },
    { next: (r) => r.data && onData(r.data), error: () => {}, complete: () => {} },
  );
}

const LOG_OUT = `mutation LogOut { logOut(input: {}) { endedSessions } }`;
const END = `mutation End { endImpersonation { ended } }`;

/** Signs out on the server too (the refresh token dies), ending a client session first. */
export async function signOut() {
  if (returnTo.value) {
    await client.mutation(END, {}).toPromise().catch(() => {});
    endActingAsClient();
  }
  if (session.value) await client.mutation(LOG_OUT, {}).toPromise().catch(() => {});
  setSession(null);
}

/** A partner's link (`?ref=` / `?sm=`): whom it names, and the confirmation of a
 * service-manager link (used by sign-up and by "My partner"). */
export const REFERRAL = `query Referral($code: String!) { referralPartner(code: $code) { name serviceManager } }`;
export const ACCEPT_SM = `mutation AcceptSm($input: PartnerCodeInput!) { acceptServiceManager(input: $input) { partner { id name } } }`;
