"""Screening parties against sanctions lists: the list model, loaders, name matching.

Pure Python (no database, no web): the services store list versions and hits and decide
what a hit means for consignments.
"""
