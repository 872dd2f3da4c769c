// graphql-http's audit of a GraphQL-over-HTTP server: prints one JSON line per audit.
// Usage: node audit.mjs http://127.0.0.1:PORT/graphql
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
for (const result of results) {
  const line = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    line.reason = result.reason;
    line.response = result.response
      ? { status: result.response.status, headers: Object.fromEntries(result.response.headers), body: await result.response.text().catch(() => null) }
      : null;
  }
  console.log(JSON.stringify(line));
}
