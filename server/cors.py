"""CORS for browser front ends on other origins (ALLOWED_ORIGINS): what a preflight may ask for
and what a page may read back.

Besides Authorization and Content-Type, the headers a GraphQL front end sends by habit:
W3C trace context and a request id (observability), Apollo's client name and version, and the
`Accept` of GraphQL over HTTP. Credentials (cookies) are never allowed: tokens travel in
Authorization.
"""

ALLOWED_METHODS = ("GET", "POST")
ALLOWED_HEADERS = (
    "Accept",
    "Authorization",
    "Content-Type",
    "traceparent",
    "tracestate",
    "X-Request-ID",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
)
#: Response headers a cross-origin page may read: the request id, to quote it in a support ticket.
EXPOSED_HEADERS = ("X-Request-ID",)
#: Seconds a browser may cache a preflight's answer.
PREFLIGHT_MAX_AGE = 600
