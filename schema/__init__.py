"""The GraphQL schema, one package per domain (requests, certificates, companies, users, outbox):
Strawberry types close to the SDL of ../shared/design/API.graphql, inputs, payloads and that
domain's root fields, which call `resolvers/` and turn rows into types. `schema.root` assembles
the domains into the Schema."""
