"""The operators' view of the audit trail."""
