"""Reading and writing files other tools use: CSV (with or without HXL tags) and more."""
