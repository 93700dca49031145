"""Reading list XML safely: through defusedxml, streamed record by record, with errors a
user can act on.

Entity declarations (the "billion laughs" XML bomb and its kin) and external references
are refused before anything is expanded; a truncated or malformed file is refused with
the line and column where it broke.
"""

import io
from collections.abc import Callable, Collection, Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from aidhub.domain.errors import InvalidInput
from aidhub.screening.lists._text import clean

RootCallback = Callable[[str, dict[str, str]], None]


def local(tag: str) -> str:
    """A tag without its namespace: ``{http://...}sdnEntry`` is ``sdnEntry``."""
    return tag.rsplit("}", 1)[-1]


def records(data: bytes, tags: Collection[str], *, roots: Collection[str], what: str,
            on_root: RootCallback | None = None,
            tick: Callable[[int], None] | None = None) -> Iterator[Element]:
    """The elements named ``tags``, each complete, in file order; namespaces are taken
    off every tag. The root must be one of ``roots`` (else the file is not ``what``).
    ``on_root(tag, attributes)`` sees the root element first; ``tick(bytes_read)`` is
    called after each record. Each record is dropped from the tree once yielded."""
    if not data.strip():
        raise InvalidInput("The file is empty; expected %(what)s.", what=what)
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise InvalidInput("This is not XML (it does not begin with '<'); expected %(what)s. "
                           "Check the file, or the format chosen for it.", what=what)
    stream = io.BytesIO(data)
    path: list[Element] = []
    try:
        for event, element in iterparse(stream, events=("start", "end")):
            if event == "start":
                element.tag = local(element.tag)
                if not path:
                    _check_root(element, roots, what)
                    if on_root is not None:
                        on_root(element.tag, dict(element.attrib))
                path.append(element)
                continue
            path.pop()
            if element.tag in tags:
                yield element
                if path:
                    path[-1].remove(element)
                if tick is not None:
                    tick(stream.tell())
    except DefusedXmlException:
        raise InvalidInput(
            "The file declares XML entities or refers to other files, as an 'XML bomb' "
            "does; it was refused for safety and nothing was loaded. Use the list file as "
            "the publisher gives it.") from None
    except ParseError as error:
        line, column = getattr(error, "position", (None, None))
        reason = str(error).split(":")[0]
        if line is None:
            raise InvalidInput(
                "The file is not complete, well-formed XML (%(reason)s); expected %(what)s. "
                "It may have been cut short while downloading: download it again. Nothing "
                "was loaded.", reason=reason, what=what) from None
        raise InvalidInput(
            "The file is not complete, well-formed XML (%(reason)s at line %(line)s, column "
            "%(column)s); expected %(what)s. It may have been cut short while downloading: "
            "download it again. Nothing was loaded.", reason=reason, line=line,
            column=column, what=what) from None


def _check_root(element: Element, roots: Collection[str], what: str) -> None:
    if element.tag not in roots:
        expected = " or ".join(f"<{r}>" for r in roots)
        raise InvalidInput(
            "This is not %(what)s: its first element is <%(root)s>, expected %(expected)s. "
            "Check the file, or the format chosen for it.", what=what, root=element.tag,
            expected=expected)


def text(element: Element | None, path: str = "") -> str:
    """The cleaned text at ``path`` under ``element`` ("" when absent)."""
    if element is None:
        return ""
    return clean(element.findtext(path) if path else element.text)


def texts(element: Element, path: str) -> list[str]:
    """The cleaned, non-empty texts of every element at ``path``."""
    return [t for t in (clean(e.text) for e in element.iterfind(path)) if t]
