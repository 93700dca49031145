"""Every message page code writes for the user is translatable: the Python side of
test_templates_translatable.py.

The checker reads each page module of ``aidhub.web`` (those that render templates) and
finds the places where page code hands a message to the user:

- the message of an error raised or built there (``InvalidInput("...")``, any
  :class:`~aidhub.domain.errors.AidhubError`, which the page shows next to its field);
- the keywords that carry a message into a page (``error=``, ``message=``, ``note=``...)
  and the values of an ``errors=`` dict or of a ``{"": ...}`` dict (a form-wide message);
- a variable named like a message (``message = ...``).

There, a string literal with letters in it, an f-string or a string built with ``+`` or
``%`` is refused: it must be the result of ``translate(request, "...")``. So is an error's
English text (``str(exc)``, ``exc.detail``): it must be ``error_text(request, exc)`` or
``error_detail(request, exc)``, the error's message in the reader's language (or the
error itself handed to ``translate``, which does the same). Field names, URLs, keys and log
lines are not in those places, so they are left alone. Each ``translate`` call must pass
its message as one literal (so that extraction finds it) whose placeholders are named and
match the values given, so that a translator can reorder them.
"""

import ast
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import aidhub.web
from aidhub.domain.errors import AidhubError

WEB = Path(aidhub.web.__file__).parent
MESSAGE_KEYWORDS = {"error", "message", "note", "problem", "refused", "notice", "done",
                    "flash", "detail"}
MESSAGE_NAMES = {"message", "error", "note", "notice", "flash"}
TRANSLATE = "translate"
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([a-zA-Z%])")


def page_modules() -> list[Path]:
    """The modules of aidhub.web that render pages (templates)."""
    return sorted(p for p in WEB.glob("*.py")
                  if re.search(r"Jinja2Templates|TemplateResponse|renderer\(",
                               p.read_text(encoding="utf-8")))


def _wordy(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _callee(node: ast.Call) -> str | None:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def untranslated(node: ast.AST | None) -> ast.AST | None:
    """The part of a message expression that is English text typed in the code, if any."""
    if node is None:
        return None
    if isinstance(node, ast.Constant):
        return node if isinstance(node.value, str) and _wordy(node.value) else None
    if isinstance(node, ast.JoinedStr):
        literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        return node if _wordy(literal) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return untranslated(node.left) or (untranslated(node.right)
                                           if isinstance(node.op, ast.Add) else None)
    if isinstance(node, ast.BoolOp):
        return next((x for v in node.values if (x := untranslated(v))), None)
    if isinstance(node, ast.IfExp):
        return untranslated(node.body) or untranslated(node.orelse)
    if isinstance(node, ast.Call) and _callee(node) == "join" and node.args:
        return untranslated(node.args[0])  # "; ".join(["...", ...])
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "str" and node.args):
        return node  # str(exc): an error's English text
    if isinstance(node, ast.Attribute) and node.attr == "detail":
        return node  # exc.detail: the same, without the field's name
    if isinstance(node, (ast.List, ast.Tuple)):
        return next((x for v in node.elts if (x := untranslated(v))), None)
    return None  # a translate() call, str(exc), exc.detail, a variable...


def _error_classes(module_name: str) -> set[str]:
    """The names in the module that are AidhubError classes (InvalidInput, Forbidden...)."""
    module = importlib.import_module(module_name)
    return {name for name, value in vars(module).items()
            if isinstance(value, type) and issubclass(value, AidhubError)}


def problems(source: str, errors: set[str], where: str = "") -> Iterator[str]:
    """Each place of ``source`` where a message is not translatable."""
    tree = ast.parse(source)

    def said(node: ast.AST, what: str) -> str:
        return f"{where}:{node.lineno}: {what}: {ast.unparse(node)[:90]}"

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _callee(node)
            if name == TRANSLATE and len(node.args) >= 2:  # not str.translate(table)
                yield from _check_translate(node, said)
                continue
            if name in errors and node.args and (bad := untranslated(node.args[0])):
                yield said(bad, f"the message of {name}")
            for kw in node.keywords:
                if kw.arg in MESSAGE_KEYWORDS and (bad := untranslated(kw.value)):
                    yield said(bad, f"{kw.arg}=")
                if kw.arg == "errors" and isinstance(kw.value, ast.Dict):
                    for value in kw.value.values:
                        if bad := untranslated(value):
                            yield said(bad, "errors=")
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (isinstance(key, ast.Constant) and key.value == ""
                        and (bad := untranslated(value))):
                    yield said(bad, "a form-wide message")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id in MESSAGE_NAMES for t in targets) and (
                    bad := untranslated(node.value)):
                yield said(bad, "a message")


def _check_translate(node: ast.Call, said) -> Iterator[str]:
    if any(kw.arg is None for kw in node.keywords):
        return  # a wrapper handing on its caller's message and values (forms.translate)
    message = node.args[1]
    if not (isinstance(message, ast.Constant) and isinstance(message.value, str)):
        yield said(node, "translate() needs its message as one string literal")
        return
    found = PLACEHOLDER.findall(message.value)
    if any(not named and kind != "%" for named, kind in found):
        yield said(node, "a placeholder without a name (use %(name)s)")
    names = {named for named, _ in found if named}
    given = {kw.arg for kw in node.keywords}
    if names != given:
        yield said(node, f"placeholders {sorted(names)} but values {sorted(given)}")


# modules still showing English typed in the code: the mark fails once they are fixed,
# to be taken away then
NOT_YET: dict[str, str] = {}  # module: why its messages are still English


def _marked(path: Path):
    reason = NOT_YET.get(path.name)
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(path, marks=marks, id=path.name)


@pytest.mark.parametrize("path", [_marked(p) for p in page_modules()])
def test_page_code_messages_are_translatable(path):
    module = f"aidhub.web.{path.stem}"
    found = list(problems(path.read_text(encoding="utf-8"), _error_classes(module),
                          path.name))
    assert found == [], "wrap these in translate(request, ...):\n" + "\n".join(found)


def test_the_page_modules_are_found():
    names = {p.name for p in page_modules()}
    assert {"forms.py", "receiving.py", "requests.py", "outbound.py", "planning.py",
            "reports.py", "stock.py", "inbound.py"} <= names
    assert "ops.py" not in names  # health and metrics: for machines and operators


ERRORS = {"InvalidInput", "NotFound"}


@pytest.mark.parametrize("code", [
    'raise InvalidInput("choose the hub", field="hub")',
    'raise InvalidInput(f"no hub {code}", field="hub")',
    'raise NotFound("no such thing: " + code)',
    'page(request, error="Nothing was saved.")',
    'page(request, message=exc.detail or "Not saved.")',
    'page(request, errors={"hub": "choose the hub"})',
    'page(request, {}, {"": f"{n} lines refused"})',
    'message = "Not saved. %s" % exc',
    'x = translate(request, f"no hub {code}")',
    'x = translate(request, "Line %s: %s", 1, exc)',
    'x = translate(request, "Line %(row)s: %(problem)s", row=1)',
    'x = translate(request, "no hub", hub=code)',
    'page(request, errors={"hub": exc.detail})',
    'page(request, message=str(exc))',
    'return form(request, {}, {"": str(exc)})',
])
def test_the_checker_finds_english_typed_in_page_code(code):
    assert list(problems(code, ERRORS)) != []


@pytest.mark.parametrize("code", [
    'raise InvalidInput(translate(request, "choose the hub"), field="hub")',
    'raise InvalidInput(translate(request, "no hub %(hub)s", hub=code), field="hub")',
    'page(request, error=message or translate(request, "Not saved."), status=400)',
    'page(request, errors={"hub": error_detail(request, exc)},'
    ' message=error_text(request, exc))',
    'page(request, message=translate(request, "Not saved. %(error)s", error=exc))',
    'page(request, {}, {"": translate(request, "%(n)s%% refused", n=n)})',
    'note = "" if done else translate(request, "Check the preview.")',
    'RedirectResponse(f"/grns/{number}#line-{line}", status_code=303)',  # a URL
    'raise InvalidInput(translate(request, "give the item"), field=f"item_{row}")',
    'log.warning("metrics: the database did not answer: %s", exc)',  # a log line
    'headers = {"Content-Disposition": f\'inline; filename="{name}.pdf"\'}',
])
def test_the_checker_leaves_translated_and_non_user_text_alone(code):
    assert list(problems(code, ERRORS)) == []
