// Apollo Client's PersistedQueryLink against the server. Prints one JSON object:
// the answers of each step and every HTTP request the link made (method, whether it sent the
// query text, status). Usage: node apollo.mjs URL TOKEN [QUERY_FILE...]
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client/core/index.js';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries/index.js';

const [url, token, ...queryFiles] = process.argv.slice(2);
const requests = [];

async function recordingFetch(input, init) {
  const target = new URL(typeof input === 'string' ? input : input.url);
  const body = init && init.body ? JSON.parse(init.body) : null;
  const response = await fetch(input, init);
  requests.push({
    method: (init && init.method) || 'GET',
    sentQuery: Boolean((body && body.query) || target.searchParams.get('query')),
    sentHash: Boolean(
      (body && body.extensions && body.extensions.persistedQuery) ||
        target.searchParams.get('extensions'),
    ),
    status: response.status,
  });
  return response;
}

function client() {
  const persisted = createPersistedQueryLink({
    sha256: (text) => createHash('sha256').update(text).digest('hex'),
    useGETForHashedQueries: true,
  });
  return new ApolloClient({
    cache: new InMemoryCache(),
    link: persisted.concat(
      new HttpLink({ uri: url, fetch: recordingFetch, headers: { Authorization: `Bearer ${token}` } }),
    ),
  });
}

const steps = [];
for (const file of queryFiles) {
  const query = gql(readFileSync(file, 'utf8'));
  for (const attempt of ['first', 'again']) {
    requests.length = 0;
    let outcome;
    try {
      const result = await client().query({ query, fetchPolicy: 'network-only' });
      outcome = { data: result.data };
    } catch (error) {
      const graphQLErrors = error.graphQLErrors || [];
      const networkErrors = (error.networkError && error.networkError.result && error.networkError.result.errors) || [];
      outcome = {
        error: error.message,
        codes: [...graphQLErrors, ...networkErrors].map((e) => e.extensions && e.extensions.code),
      };
    }
    steps.push({ file, attempt, ...outcome, requests: [...requests] });
  }
}
console.log(JSON.stringify(steps));
