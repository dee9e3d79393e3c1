"""`wikibot serve`: web routes, readiness, metrics, JSON logs, in-flight answers,
background sync."""
