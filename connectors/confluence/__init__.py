"""The Confluence source: REST client, connector, storage-format parsing."""
