"""`python -m bot.cli`: the same as the `wikibot` command."""


from bot.cli.main import entry

entry()
