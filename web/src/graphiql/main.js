// GraphiQL served by the gateway itself: React, GraphiQL and its styles come from /assets,
// never from a CDN, so the page works offline and under the gateway's Content-Security-Policy.
import React from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';

const endpoint = new URL('/graphql', window.location.href).toString();
const subscriptionUrl = endpoint.replace(/^http/, 'ws');
const fetcher = createGraphiQLFetcher({ url: endpoint, subscriptionUrl });

createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true }),
);
