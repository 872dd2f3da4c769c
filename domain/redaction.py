"""What the logs may show of a connection URL (database, Redis): never its password."""


def redacted_url(url: str) -> str:
    """The URL with its password replaced by ***; a URL without credentials is unchanged."""
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.partition(":")[0]
    return f"{scheme}{sep}{user + ':' if user else ''}***@{host}"
