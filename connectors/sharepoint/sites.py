"""The libraries (drives) a SharePoint source reads: each configured site's, filtered by the
``libraries`` setting; asked at every full read (a sync resumes from the delta links).

One site's failure is that site's alone: a site Graph refuses (403) or does not have (404)
is reported as a failed, withdrawn entry and skipped, so a full read removes its documents
from the index (never keeping old text and readers) while the other sites land. When no
configured site exists at all, the ``sites`` setting is wrong (a typo, a wrong host), and
the source fails with Graph's line instead of reading as empty.
"""

from __future__ import annotations

import logging

from connectors.base import FailedDocument
from connectors.sharepoint.client import GraphClient, GraphError, GraphNotFoundError, source_wide
from connectors.sharepoint.config import SharePointConfig

logger = logging.getLogger(__name__)


def site_libraries(
    client: GraphClient, config: SharePointConfig, source: str, failed: list[FailedDocument]
) -> list[str]:
    """The drive ids to read; a failing site is appended to ``failed``."""
    found: list[str] = []
    missing: list[GraphNotFoundError] = []
    for site in config.sites:
        try:
            site_id = client.get(f"/sites/{site}")["id"]
            listed = client.get(f"/sites/{site_id}/drives").get("value", [])
        except (GraphError, GraphNotFoundError) as exc:
            if source_wide(exc):
                raise
            if isinstance(exc, GraphNotFoundError):
                missing.append(exc)
            logger.warning("SharePoint site %s of %s could not be read (%s): its documents "
                           "are removed from the index", site, source, exc)
            failed.append(
                FailedDocument(f"{source}:site:{site}", f"site {site}", str(exc), withdrawn=True)
            )
            continue
        for drive in listed:
            if not config.libraries or drive.get("name") in config.libraries:
                found.append(str(drive["id"]))
    if missing and len(missing) == len(config.sites):
        raise missing[0]
    return found
