"""The use cases. Each is one function and one transaction: load and lock, ask `domain`, write the
change with its history row and its outbox email together, publish the event after the commit.
Every read is scoped to what the calling principal may see."""
