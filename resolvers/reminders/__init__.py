"""Reminder settings per company: read and change them, add and remove extra recipients."""
