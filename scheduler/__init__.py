"""Pushes at the user's local time: evening plan-tomorrow, morning digest, timed reminders."""
