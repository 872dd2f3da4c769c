"""The audit trail for operators (ADMIN only)."""
