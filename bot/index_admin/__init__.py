"""Index administration: the configured sources, sources by name, the one reindex path,
the `/wikibot` chat commands, the operations behind `wikibot index|sync|status|sources|
remove|ask`, and the local admin channel through which those commands reach a running
`wikibot serve` that holds the embedded index."""
