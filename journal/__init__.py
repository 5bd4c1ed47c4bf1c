"""The rep's sales journal: cards, CRM matching, follow-ups, agenda, stats and export."""
