"""Every sentence the code can show a person has its Russian and Uzbek entry in the catalogs.

A domain's reasons are `Msg(...)` templates or plain sentences given to a `Problem`; the interfaces say
them in the reader's language through the catalogs. This test reads the source for them (so that a new
message without a translation fails here, not in front of a Governor's analyst) and checks that the
translation keeps the template's values.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from hamkor.i18n import Msg, field_label, localize, problem_text, translations
from hamkor.i18n.fields import FIELD_LABELS

SOURCE = Path(__file__).resolve().parents[2] / "src" / "hamkor"
# What a person never reads in Russian or Uzbek: the command line speaks English to the administrator.
NOT_SHOWN_ON_PAGES = ("cli/", "demo/", "web/api/")
ERROR_CALL = re.compile(r"(Error|Problem|NotFound|Refused|Conflict|Rejected|Busy)$")
PROGRAMMER_ERRORS = ("ValueError", "LookupError", "NotImplementedError", "RuntimeError")  # for whoever codes
VALUE = re.compile(r"%\((\w+)\)s")


def _call_name(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def _sentences() -> dict[str, str]:
    """message id -> where it is written, for every Msg template and every literal reason of a Problem."""
    found: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        if relative.startswith(NOT_SHOWN_ON_PAGES):
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _call_name(node)
            texts = []
            if name == "Msg" and node.args:
                texts.append(node.args[0])
            elif ERROR_CALL.search(name) and name not in PROGRAMMER_ERRORS:
                for arg in [*node.args, *(k.value for k in node.keywords if k.arg == "title")]:
                    texts.append(arg)
                    if isinstance(arg, ast.List):  # [("field", "reason"), ...]
                        texts += [t.elts[1] for t in arg.elts if isinstance(t, ast.Tuple) and len(t.elts) == 2]
            elif (name == "append" and isinstance(node.func, ast.Attribute)
                  and re.search("problem|notes", ast.unparse(node.func.value))):
                arg = node.args[0] if node.args else None
                texts.append(arg.elts[1] if isinstance(arg, ast.Tuple) and len(arg.elts) == 2 else arg)
            for text in texts:
                if isinstance(text, ast.Constant) and isinstance(text.value, str) and " " in text.value.strip():
                    found.setdefault(text.value, f"{relative}:{node.lineno}")
    return found


SENTENCES = _sentences()


def test_the_source_has_sentences_to_check():
    assert len(SENTENCES) > 150 and "a mission needs a name" in SENTENCES


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_every_sentence_a_page_can_show_is_translated(lang):
    catalog = translations(lang)
    missing = [f"{where}: {text}" for text, where in SENTENCES.items() if catalog.gettext(text) == text]
    assert not missing, f"{len(missing)} sentences without a {lang} entry:\n" + "\n".join(missing)
    dropped = [text for text in SENTENCES if set(VALUE.findall(text)) != set(VALUE.findall(catalog.gettext(text)))]
    assert not dropped, f"translations that lose or invent a value: {dropped}"


def test_the_uzbek_catalog_writes_one_apostrophe_in_o_and_g():
    """Oʻ and gʻ take U+02BB everywhere (a phone's tab bar showed 'Roʻyxatdan' beside 'ro‘yxatdan', two letters
    to a reader and to a search)."""
    catalog = translations("uz")
    wrong = [(text, catalog.gettext(text)) for text in SENTENCES
             if re.search(r"[oOgG]['‘’`ʼ]", catalog.gettext(text))]
    assert not wrong, wrong[:10]
    # and the tutuq belgisi (maʼlum, eʼlon) is U+02BC, not a typographic quote ("e’lon" stood beside "eʼlon")
    wrong = [catalog.gettext(text) for text in SENTENCES if re.search(r"\w['‘’`]\w", catalog.gettext(text))]
    assert not wrong, wrong[:10]


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_every_field_a_problem_names_has_a_label(lang):
    unlabelled = [name for name, label in FIELD_LABELS.items() if field_label(name, lang) == label]
    assert not unlabelled


def test_a_problem_reads_in_the_readers_language():
    from hamkor.errors import Problem

    problem = Problem([("tax_id", Msg("STIR %(digits_text)s cannot start with 0", digits_text="012345678"))])
    assert str(problem) == "tax_id: STIR 012345678 cannot start with 0"  # English for logs and the CLI
    russian = problem_text(problem, "ru")
    assert "012345678" in russian and "tax_id" not in russian and "cannot" not in russian
    uzbek = localize(Msg("STIR %(digits_text)s cannot start with 0", digits_text="1"), "uz")
    assert uzbek == "STIR 1 0 bilan boshlanishi mumkin emas"


# What the mission pages, the public registration and the participant's space raise (their problem lists show
# each field by its label): a field missing from FIELD_LABELS showed as its code, «email:», «registration:».
MISSION_SOURCES = ("missions/", "accounts/", "companies/registry.py", "web/forms.py", "web/pages/missions.py",
                   "web/pages/registration.py", "web/pages/space.py", "web/pages/followup.py")
FIELD_READERS = ("text", "number", "numbers", "choice")  # web/forms.TypedForm: a 400 names the field it reads


def _problem_fields() -> dict[str, str]:
    """field name -> where a problem names it: the first of every ("field", reason) pair given to a Problem or
    appended to a list of problems, a field a page reads as a declared type, and each error's default field."""
    found: dict[str, str] = {}

    def pairs(node) -> list:
        if isinstance(node, ast.Tuple):
            return [node]
        if isinstance(node, ast.List):
            return [t for t in node.elts if isinstance(t, ast.Tuple)]
        if isinstance(node, ast.ListComp) and isinstance(node.elt, ast.Tuple):
            return [node.elt]
        return []

    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        if not relative.startswith(MISSION_SOURCES):
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            candidates = []
            if isinstance(node, ast.Call):
                name = _call_name(node)
                if ERROR_CALL.search(name) and name not in PROGRAMMER_ERRORS:
                    candidates = [t for arg in node.args for t in pairs(arg)]
                elif name == "append" and re.search("problem", ast.unparse(node.func.value)) and node.args:
                    candidates = pairs(node.args[0])
                elif (name in FIELD_READERS and isinstance(node.func, ast.Attribute) and node.args
                      and ast.unparse(node.func.value) == "form"):
                    candidates = [ast.Tuple([node.args[0], node.args[0]])]
            elif (isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add)
                  and re.search("problem", ast.unparse(node.target))):
                candidates = pairs(node.value)
            elif isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["default_field"]:
                candidates = [ast.Tuple([node.value, node.value])]
            for pair in candidates:
                first = pair.elts[0] if len(pair.elts) == 2 else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.setdefault(first.value, f"{relative}:{node.lineno}")
    return found


def test_every_field_a_mission_page_can_name_reads_as_its_label():
    fields = _problem_fields()
    assert {"email", "registration", "tax_id", "days", "mission"} <= fields.keys()  # the reader finds them
    unlabelled = [f"{where}: {name}" for name, where in fields.items() if name not in FIELD_LABELS]
    assert not unlabelled, "fields shown as their code:\n" + "\n".join(unlabelled)
