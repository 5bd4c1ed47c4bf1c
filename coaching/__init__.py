"""Objection-handling drills: scoring engine, objection bank and drill dialogue."""
