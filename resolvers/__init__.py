"""Resolution logic of the GraphQL fields, per domain: ids decoded, per-operation loaders, one
service call. Returns rows or service results (or raises the domain's error), never a Strawberry
type: `schema/` turns what these return into types."""
