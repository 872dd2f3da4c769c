"""The status-change bus that feeds subscriptions. Events are published only after their commit."""
