"""Slack: the Bolt adapter, Block Kit rendering, streaming updates, request checks."""
