"""The web pages' message catalogs (gettext .po files, one folder per language) and the
words for the states, events and kinds that pages show from data (:mod:`.terms`)."""
