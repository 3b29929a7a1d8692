"""CSV as a spreadsheet user writes it: every file under tests/data/csv/ is read and compared with
the exact X, y and names, or the exact refusal, in the JSON file beside it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.neuron.errors import NeuronError
from app.neuron.tabular import (
    LABEL_NAMES, ReadOptions, TableError, decode, read_csv, sniff_separator, write_csv,
)  # fmt: skip

CORPUS = Path(__file__).resolve().parent.parent / "data" / "csv"
FILES = sorted(CORPUS.glob("*.csv"))


def expected_of(path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def test_the_corpus_is_there() -> None:
    assert len(FILES) >= 30
    assert all(p.with_suffix(".json").exists() for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_each_file_reads_exactly_as_expected(path: Path) -> None:
    expected = expected_of(path)
    options = ReadOptions(**expected.get("options", {}))
    text = decode(path.read_bytes())
    if "error" in expected:
        with pytest.raises(NeuronError) as caught:
            read_csv(text, options)
        assert str(caught.value) == expected["error"]
        if isinstance(caught.value, TableError):
            assert caught.value.line == expected.get("line")
            assert caught.value.column == expected.get("column")
        return
    table = read_csv(text, options)
    assert table.X.dtype == np.float64 and table.y.dtype == np.int64
    assert table.X.tolist() == expected["X"]
    assert table.y.tolist() == expected["y"]
    assert table.feature_names == expected["feature_names"]
    assert table.class_names == expected["class_names"]
    assert table.label_column == expected["label_column"]
    assert table.skipped_rows == expected.get("skipped_rows", 0)


def test_separators_are_sniffed_from_the_first_lines() -> None:
    assert sniff_separator("a,b,c\n1,2,3\n") == ","
    assert sniff_separator("a;b;c\n1,5;2,5;3\n") == ";"  # decimal commas do not fool it
    assert sniff_separator("a\tb\n1\t2\n") == "\t"
    assert sniff_separator("a;b;c\n1;2\n") == ";"  # ragged: the header's own separator


def test_windows_1252_text_is_read_when_it_is_not_utf8() -> None:
    assert decode("Größe;y\n".encode("cp1252")) == "Größe;y\n"
    assert decode("\ufeffa,b".encode("utf-8")) == "a,b"


def test_the_row_limit_stops_reading_early() -> None:
    """A file far past the limit is refused at the first row too many, not after reading it all."""
    text = "a,label\n" + "1,0\n2,1\n" * 50_000
    with pytest.raises(TableError) as caught:
        read_csv(text, ReadOptions(max_rows=10))
    assert caught.value.line == 12


def test_values_past_the_size_bound_are_refused_with_their_place() -> None:
    with pytest.raises(TableError) as caught:
        read_csv("a,label\n1e7,0\n1,1\n", ReadOptions(max_abs_value=1e6))
    assert str(caught.value) == "csv: line 2, column 'a': '1e7' is larger than 1e+06 in size"


def test_a_spreadsheet_whose_every_row_has_a_decimal_comma_is_read_with_semicolons() -> None:
    """Found by the property below: a name with a comma in it and a decimal comma in every row
    split into as many fields with commas as with semicolons."""
    table = read_csv("a,;label\r\n1,5;no\r\n2,5;yes\r\n", ReadOptions(positive="yes"))
    assert table.feature_names == ["a,"] and table.X.tolist() == [[1.5], [2.5]]


@pytest.mark.parametrize("path", [p for p in FILES if "error" not in expected_of(p)],
                         ids=lambda p: p.stem)  # fmt: skip
def test_a_written_csv_reads_back_the_same(path: Path) -> None:
    """What Download CSV gives is what an upload of it reads (the class order kept by naming
    class 1 as positive)."""
    expected = expected_of(path)
    table = read_csv(decode(path.read_bytes()), ReadOptions(**expected.get("options", {})))
    text = write_csv(table.X, table.y, table.feature_names, table.class_names, table.label_column)
    again = read_csv(text, ReadOptions(label=None, positive=table.class_names[1]))
    assert again.X.tolist() == table.X.tolist()
    assert again.y.tolist() == table.y.tolist()
    assert again.feature_names == table.feature_names
    assert again.class_names == table.class_names


_NAME = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
                min_size=1, max_size=12).filter(lambda s: s.casefold() not in LABEL_NAMES)  # fmt: skip
_VALUE = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.integers(1, 12).flatmap(lambda k: st.lists(st.lists(_VALUE, min_size=k, max_size=k),
                                                       min_size=2, max_size=20)),
    data=st.data(),
    semicolons=st.booleans(),
)  # fmt: skip
def test_any_table_written_as_a_spreadsheet_would_reads_back_exactly(
    rows: list[list[float]], data: st.DataObject, semicolons: bool
) -> None:
    """Values of any size and sign, names with quotes or separators in them, words as labels:
    written with commas, or with semicolons and decimal commas, they read back the same."""
    k = len(rows[0])
    names = data.draw(st.lists(_NAME, min_size=k, max_size=k, unique=True))
    y = data.draw(st.lists(st.integers(0, 1), min_size=len(rows), max_size=len(rows)).filter(
        lambda ys: len(set(ys)) == 2))  # fmt: skip
    classes = ["no way", 'a "yes"']
    text = write_csv(np.array(rows), np.array(y), names, classes)
    if semicolons:
        text = _as_european_spreadsheet(text)
    table = read_csv(text, ReadOptions(positive='a "yes"'))
    assert table.X.tolist() == rows
    assert table.y.tolist() == y
    assert table.feature_names == names and table.class_names == classes


def _as_european_spreadsheet(text: str) -> str:
    """The same table with semicolons between fields and commas as decimal points."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for i, cells in enumerate(csv.reader(io.StringIO(text, newline=""))):
        writer.writerow(cells if i == 0 else [c.replace(".", ",") for c in cells[:-1]] + cells[-1:])
    return out.getvalue()
