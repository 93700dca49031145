"""Bringing the message catalogs up to date with the code.

``python -m aidhub.web.locale.catalog`` extracts every string a reader can see: the pages
(templates), the page modules (``translate(request, "...")``), and the messages of the
errors raised anywhere in the package (``raise NotFound("no item %(code)s", code=...)``;
see :mod:`aidhub.domain.errors`) and of the problems found in an uploaded file. It writes
``messages.pot`` and merges it into each language's ``messages.po``: new entries come in
empty, for a translator to fill; entries no longer used are dropped.
"""

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

LOCALE = Path(__file__).parent
PACKAGE = LOCALE.parent.parent  # src/aidhub: extraction reads all of it

# The error classes whose first argument is a message (every AidhubError subclass; a test
# checks that the list is complete), and the other places a message is written.
ERRORS = (
    "AidhubError", "InvalidInput", "NotFound", "AlreadyExists", "LedgerError",
    "UnbalancedMovement", "InsufficientStock", "IdempotencyConflict", "StorageError",
    "Forbidden", "IllegalTransition", "FourEyes", "SyncError", "SignInRefused",
    "NotSignedIn", "NotANode", "NotRecorded", "Unreachable", "DamagedZip", "UploadRefused",
    "CsrfRefused",
)
KEYWORDS = {**DEFAULT_KEYWORDS, "translate": (2,), "Problem": (3,), "problem": (2,),
            **dict.fromkeys(ERRORS, (1,))}


def extract() -> set[str | tuple[str, str]]:
    """Every message id the code and the templates hold (a tuple for a plural)."""
    return {msgid for _, _, msgid, _, _ in _extracted() if msgid}


def _extracted():
    with (LOCALE / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    return extract_from_dir(PACKAGE, method_map, options_map, keywords=KEYWORDS)


def main() -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    template = Catalog(project="aidhub", version="0.1.0", copyright_holder="aidhub",
                       fuzzy=False)
    for filename, lineno, msgid, comments, context in _extracted():
        if msgid:
            template.add(msgid, locations=[(str(Path("src", "aidhub", filename)), lineno)],
                         auto_comments=comments, context=context)
    with (LOCALE / "messages.pot").open("wb") as f:
        write_po(f, template, width=None, omit_header=False)
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=po_path.parent.parent.name)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with po_path.open("wb") as f:
            write_po(f, catalog, width=None)
        missing = sum(1 for m in catalog if m.id and not m.string)
        print(f"{po_path.relative_to(PACKAGE.parent)}: {missing} entries to translate")


if __name__ == "__main__":
    main()
