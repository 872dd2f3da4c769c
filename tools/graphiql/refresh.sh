#!/usr/bin/env bash
# Refreshes the GraphiQL page's vendored assets (server/static/graphiql/vendor) from npm, at the
# versions pinned in tools/graphiql/package.json and package-lock.json. To upgrade: change the
# versions there, `npm install --package-lock-only` in this folder, run this script, run the
# browser test (tests/e2e/test_graphiql_browser.py), commit the lot.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="$here/../../server/static/graphiql/vendor"
cd "$here"
npm ci --no-audit --no-fund --loglevel=error
rm -rf "$target"
mkdir -p "$target"
m=node_modules
cp "$m/react/umd/react.production.min.js" "$m/react-dom/umd/react-dom.production.min.js" \
   "$m/graphiql/graphiql.min.js" "$m/graphiql/graphiql.min.css" \
   "$m/graphql-ws/umd/graphql-ws.min.js" "$target/"
{
  echo "Third-party files vendored by tools/graphiql/refresh.sh; their licences follow."
  for package in react react-dom graphiql graphql-ws graphql; do
    version=$(node -p "require('./$m/$package/package.json').version")
    licence=$(ls "$m/$package" | grep -i -m1 '^licen[cs]e')
    printf '\n===== %s %s (%s) =====\n\n' "$package" "$version" "$licence"
    cat "$m/$package/$licence"
  done
} > "$target/LICENSES.txt"
node -e "const l=require('./package-lock.json').packages; const v={}; for (const p of ['react','react-dom','graphiql','graphql-ws','graphql']) v[p]=l['node_modules/'+p].version; console.log(JSON.stringify(v, null, 2))" > "$target/versions.json"
rm -rf node_modules
echo "vendored into $target:"; ls -la "$target"
