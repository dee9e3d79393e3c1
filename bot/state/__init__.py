"""State replicas share (Redis, or in-process): memory, rate limits, dedupe, locks,
feedback, the question log."""
