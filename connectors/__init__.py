"""Sources of documents: each connector yields batches of SourceDocument."""
