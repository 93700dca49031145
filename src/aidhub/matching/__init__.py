"""Matching what consignors write to what the hub knows (pure Python, no database)."""

from aidhub.matching.items import (
    AUTO_ACCEPT,
    SUGGEST,
    Candidate,
    Reason,
    accepted,
    match_item,
    normalise,
)

__all__ = ["AUTO_ACCEPT", "SUGGEST", "Candidate", "Reason", "accepted", "match_item",
           "normalise"]
