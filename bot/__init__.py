"""wikibot: answers staff questions from the company wiki and HR documents, with citations."""

__version__ = "0.1.0"
