"""Root fields (queries, mutations, subscriptions) and DataLoaders. Thin: input → service → payload."""
