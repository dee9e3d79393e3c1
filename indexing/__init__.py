"""Chunking, embedding and the Qdrant store: turns SourceDocuments into a searchable index."""
