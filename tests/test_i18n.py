"""The catalogs (static/i18n/<lang>.json): every language says everything English says, with the
same placeholders and the plural forms its CLDR rules know; every key the templates and the
modules use exists; and no sentence of the page is left outside the catalogs."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel import Locale

from app.i18n import CATALOGS, LANGUAGES, PLACEHOLDER, catalog, choose_language, parse_accept_language, translate
from app.lessons import LESSONS
from app.neuron.datasets import DATASETS

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "templates").glob("*.html"))
MODULES = sorted((ROOT / "static" / "js").glob("*.js"))
ENGLISH = catalog("en")


def placeholders(message: str | dict[str, str]) -> set[str]:
    forms = message.values() if isinstance(message, dict) else [message]
    return {name for form in forms for name in PLACEHOLDER.findall(form)}


def test_the_catalog_files_are_the_languages() -> None:
    assert sorted(p.stem for p in CATALOGS.glob("*.json")) == sorted(LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalog_has_the_keys_and_placeholders_of_english(lang: str) -> None:
    messages = catalog(lang)
    assert set(messages) == set(ENGLISH)
    for key, english in ENGLISH.items():
        assert placeholders(messages[key]) == placeholders(english), key
        assert isinstance(messages[key], dict) == isinstance(english, dict), key
        assert messages[key], key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_forms_are_the_languages_cldr_categories(lang: str) -> None:
    categories = set(Locale.parse(lang).plural_form.tags) | {"other"}
    plurals = {k: v for k, v in catalog(lang).items() if isinstance(v, dict)}
    assert plurals
    for key, forms in plurals.items():
        assert "other" in forms and "one" in forms, key
        assert set(forms) <= categories, (key, set(forms) - categories)


def test_counts_take_the_plural_form_and_the_digits_of_their_language() -> None:
    assert translate("en", "status.converged", count=1).startswith("Converged after 1 epoch:")
    assert translate("en", "status.converged", count=10_000).startswith("Converged after 10,000 epochs:")
    assert translate("fr", "status.converged", count=0).startswith("Convergé après 0 époque\u00a0:")  # 0 is 'one'
    assert translate("fr", "status.converged", count=2).startswith("Convergé après 2 époques")
    assert translate("es", "speed.option", count=1) == "1 época por segundo"
    assert translate("es", "speed.option", count=1_000_000) == "1.000.000 de épocas por segundo"  # 'many'
    assert translate("fr", "speed.option", count=6000) == "6\u202f000 époques par seconde"


def test_every_lesson_dataset_and_reason_is_named_in_the_catalog() -> None:
    for lesson in LESSONS:
        assert f"lesson.{lesson.id}.title" in ENGLISH and f"lesson.{lesson.id}.text" in ENGLISH
    for dataset_id in DATASETS:
        assert f"dataset.{dataset_id}.name" in ENGLISH and f"dataset.{dataset_id}.about" in ENGLISH
    why = re.search(r"CANNOT_SEPARATE = \[([^\]]*)\]", (ROOT / "static/js/format.js").read_text())
    assert why
    for dataset_id in re.findall(r"'(\w+)'", why.group(1)):
        assert dataset_id in DATASETS
        assert {f"why.{dataset_id}.{part}" for part in ("short", "title", "text")} <= set(ENGLISH)


def test_the_lessons_keep_the_tutorials_numbers_in_every_language() -> None:
    """Lesson 1 stops at w = [2, 1], b = −3; lesson 4 starts at [0.1, 0.2], 0.3 with η = 0.05 and
    runs 10,000 steps; lesson 7 quotes 90.49 % — each written as the language writes numbers."""
    def text(lang: str, lesson_id: str) -> str:
        return str(catalog(lang)[f"lesson.{lesson_id}.text"])

    for lang, (pair, start, rate, steps, quoted) in {
        "en": ("[2, 1]", "[0.1, 0.2]</b>... 0.3", "0.05", "10,000", "90.49%"),
        "es": ("[2; 1]", "[0,1; 0,2]</b>... 0,3", "0,05", "10.000", "90,49 %"),
        "fr": ("[2 ; 1]", "[0,1 ; 0,2]</b>... 0,3", "0,05", "10\u202f000", "90,49\u202f%"),
    }.items():
        first = text(lang, "perceptron-learns-and")
        assert pair.replace(" ;", "\u202f;") in first and "−3" in first, lang
        fourth = text(lang, "sigmoid-learns-or")
        w0, b0 = start.replace(" ;", "\u202f;").split("</b>... ")
        assert w0 in fourth and f"<i>b</i> = {b0}" in fourth and f"η = {rate}" in fourth, lang
        assert steps in fourth, lang
        assert quoted in text(lang, "breast-cancer"), lang


def used_keys() -> set[str]:
    """Every literal key of t(...) / tOr(...) in the templates and modules; a key built from a
    variable (`why.${dataset}.short`) stands as a pattern."""
    keys: set[str] = set()
    for path in TEMPLATES + MODULES:
        source = path.read_text()
        keys |= set(re.findall(r"\bt(?:Or)?\(\s*['\"`]([^'\"`]+)['\"`]", source))
    return keys


def test_every_key_the_templates_and_modules_use_exists() -> None:
    keys = used_keys()
    assert len(keys) > 150  # the scan found them
    for key in keys:
        if "${" in key:
            pattern = re.compile(re.sub(r"\\\$\\\{[^}]*\\\}", r"[\\w.-]+", re.escape(key)))
            assert any(pattern.fullmatch(k) for k in ENGLISH), key
        else:
            assert key in ENGLISH, key


class _Text(HTMLParser):
    """The words a template shows once its Jinja parts are taken out."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in ("script", "style")
        for name, value in attrs:
            if name in ("title", "aria-label", "alt", "placeholder") and value and re.search(r"[A-Za-z]{3}", value):
                self.words.append(value)

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.skip and data.strip():
            self.words.append(data.strip())


def test_no_template_shows_a_word_outside_the_catalog() -> None:
    allowed = {"Neuron", "Playground", "Neuron Playground", "· Neuron Playground", "/join", "······", "#", "?", "S", "R", "P",
               "F", "→", "Shift+S", "Shift+→", "1", "2", "3", "4", "5", "6", "7", "8"}  # fmt: skip
    for path in TEMPLATES:
        source = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", path.read_text(), flags=re.S)
        parser = _Text()
        parser.feed(source)
        left = [w for w in parser.words if w not in allowed and re.search(r"[A-Za-z]{2}", w)]
        assert not left, (path.name, left)


# Strings in the modules that are not words for people: CSS, ids, TeX, event names, formats.
NOT_WORDS = re.compile(r"system-ui|sans-serif|px|\\\\|^[#.]\w|\[\w+=|^\w+/[\w+.-]+$|[{}]")


def test_no_module_writes_a_sentence_outside_the_catalog() -> None:
    """A string literal of two or more words in a module is a sentence a person would read,
    unless it is CSS, TeX or a selector: the sentences live in the catalogs instead."""
    for path in MODULES:
        code = re.sub(r"/\*.*?\*/|//[^\n]*", "", path.read_text(), flags=re.S)
        for literal in re.findall(r"(?<!class: )(?:'([^'\n]*)'|`([^`]*)`)", code):  # not CSS classes
            text = next((s for s in literal if s), "")
            plain = re.sub(r"\$\{[^}]*\}", "", text)
            if re.search(r"[A-Za-z]{2,} +[A-Za-z]{2,}", plain) and not NOT_WORDS.search(plain):
                pytest.fail(f"{path.name}: {text!r}")


def test_accept_language_is_read_by_q_value() -> None:
    assert parse_accept_language("fr;q=0.4, es-MX, en;q=0.8") == ["es-MX", "en", "fr"]
    assert parse_accept_language("es;q=0, fr") == ["fr"]  # q=0: not this one
    assert parse_accept_language("fr;q=x, es") == ["es"]  # a broken q is left out
    assert parse_accept_language("") == []


@pytest.mark.parametrize(("query", "saved", "header", "chosen"), [
    ("es", "fr", "fr", "es"),  # ?lang= first
    (None, "fr", "es", "fr"),  # then the saved choice
    (None, None, "de-DE,es;q=0.9,fr;q=0.8", "es"),  # then the best Accept-Language we speak
    (None, None, "fr-CA;q=0.5, es-MX;q=0.7", "es"),  # by q, regions matching their language
    (None, None, "de, ja", "en"),  # none of ours: English
    ("xx", "zz", "fr", "fr"),  # unknown values are ignored
    ("FR", None, None, "fr"),
    (None, None, "*", "en"),
])  # fmt: skip
def test_the_language_is_chosen_by_query_saved_choice_then_accept_language(
    query: str | None, saved: str | None, header: str | None, chosen: str
) -> None:
    assert choose_language(query, saved, header) == chosen


def test_the_translated_feature_names_are_those_of_the_data_in_order() -> None:
    """feature.<dataset>.<i> names feature i: in English, exactly as the dataset names it."""
    from app.neuron.datasets import VIRUS_FEATURES, _breast_cancer_raw

    for dataset_id, names in (("virus", VIRUS_FEATURES), ("breast_cancer", _breast_cancer_raw()[2])):
        assert [ENGLISH[f"feature.{dataset_id}.{i}"] for i in range(len(names))] == list(names)
        assert f"feature.{dataset_id}.{len(names)}" not in ENGLISH
