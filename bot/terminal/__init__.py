"""The terminal as a chat surface (`wikibot chat`)."""
