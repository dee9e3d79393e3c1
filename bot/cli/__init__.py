"""The `wikibot` command line."""
