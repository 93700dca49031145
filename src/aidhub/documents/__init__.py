"""Printed documents: GRN, labels with GS1 barcodes, and later waybills and bin cards."""
