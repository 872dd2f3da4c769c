// A trusted-documents manifest ({sha256: document}) of the operations as Apollo Client sends
// them (after its cache's transforms, e.g. __typename), as a build step of a front end writes it.
// Usage: node manifest.mjs QUERY_FILE...
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { InMemoryCache, gql } from '@apollo/client/core/index.js';
import { print } from '@apollo/client/utilities/index.js';

const cache = new InMemoryCache();
const manifest = {};
for (const file of process.argv.slice(2)) {
  const text = print(cache.transformDocument(gql(readFileSync(file, 'utf8'))));
  manifest[createHash('sha256').update(text).digest('hex')] = text;
}
console.log(JSON.stringify(manifest));
