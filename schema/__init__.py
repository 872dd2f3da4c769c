"""The GraphQL schema: Strawberry types close to the SDL of ../shared/design/API.graphql."""
