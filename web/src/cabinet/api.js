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

export function setSession(payload) {
  const value = payload
    ? { accessToken: payload.accessToken, refreshToken: payload.refreshToken, viewer: payload.viewer }
    : null;
  save(KEY, value);
  session.value = value;
  resetSocket();
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

let refreshing = null;
async function refresh() {
  const current = session.value;
  if (!current?.refreshToken) return false;
  refreshing ||= client
    .mutation(REFRESH, { input: { refreshToken: current.refreshToken } })
    .toPromise()
    .then((r) => {
      const p = r.data?.refreshSession;
      if (!p) {
        setSession(null);
        return false;
      }
      setSession({ ...p, viewer: current.viewer });
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
    throw new ApiError(info);
  }
  return result.data;
}

/** Runs a query; resolves to its data or rejects with an {@link ApiError}. */
export const query = (doc, variables = {}) => run('query', doc, variables, false);
/** Runs a mutation; resolves to its data or rejects with an {@link ApiError}. */
export const mutate = (doc, variables = {}) => run('mutation', doc, variables, false);

export { CombinedError };

let socket = null;
function resetSocket() {
  if (socket) socket.dispose();
  socket = null;
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
      connectionParams: () => {
        const token = session.value?.accessToken;
        return token ? { Authorization: `Bearer ${token}` } : {};
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
