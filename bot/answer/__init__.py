"""The answer engine: retrieval, answer writing and citations."""
