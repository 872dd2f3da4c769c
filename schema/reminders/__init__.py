"""Reminder settings per company: stages, channel and confirmed extra recipients."""
