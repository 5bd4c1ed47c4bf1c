"""Cross-cutting pieces: settings and user accounts."""
