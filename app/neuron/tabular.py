"""A spreadsheet's CSV as a dataset: text in; arrays, feature names and class names out.

Read the way a spreadsheet user expects: a header row; commas, semicolons or tabs (sniffed);
decimal commas where the separator is not a comma; quoted fields; a byte-order mark, CRLF and
blank lines ignored. The label column is named by the caller, or called label/class/target/y,
or is the last; its two distinct values (numbers or words) become 0 and 1 in sorted order
unless the caller names the positive class. Every refusal names the line and the column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.neuron.datasets import Array, Labels
from app.neuron.errors import NeuronError

LABEL_NAMES = ("label", "class", "target", "y")  # in this order of preference
SEPARATORS = (",", ";", "\t")
SNIFF_LINES = 20
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
MAX_ABS_VALUE = 1e15  # past this, means and spreads of a column may overflow


class TableError(NeuronError):
    """Refused input; `line` (1-based, as an editor numbers it) and `column` say where."""

    def __init__(self, message: str, line: int | None = None, column: str | None = None,
                 code: str | None = None, params: dict[str, Any] | None = None) -> None:  # fmt: skip
        where = ", ".join(p for p in (line and f"line {line}", column and f"column {column!r}") if p)
        super().__init__("csv", f"{where}: {message}" if where else message, code, params)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Table:
    """A dataset as it was written: raw feature values, classes 0/1 and the names of both."""

    X: Array
    y: Labels
    feature_names: list[str]
    class_names: list[str]  # class_names[k] is what the file called class k
    label_column: str
    skipped_rows: int = 0  # rows left out as bad (only when asked to)


@dataclass(frozen=True)
class ReadOptions:
    label: str | None = None  # the label column's name; default: conventional name, else last
    positive: str | None = None  # the label value that is class 1; default: the larger
    skip_bad: bool = False  # leave out rows with a missing or non-numeric value, counted
    max_rows: int = 10_000
    max_features: int = 64
    max_abs_value: float = MAX_ABS_VALUE


def decode(body: bytes) -> str:
    """UTF-8 (a BOM dropped); failing that, Windows-1252, which spreadsheets on Windows write."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def read_csv(text: str, options: ReadOptions = ReadOptions()) -> Table:
    """Parse a CSV text into a two-class table, or raise TableError naming line and column."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise TableError("the file is empty; it needs a header row and rows of data", code="csv_empty")
    separator = sniff_separator(text)
    records = _records(text, separator)
    header_line, header = next(records, (1, []))
    names = _column_names(header)
    if len(names) < 2:
        raise TableError("one column only: a table needs at least one feature and a label "
                         "column, separated by commas, semicolons or tabs", header_line,
                         code="csv_one_column")  # fmt: skip
    label_at = _label_index(names, options.label)
    features = [i for i in range(len(names)) if i != label_at]
    if len(features) > options.max_features:
        raise TableError(f"{len(features)} features; at most {options.max_features} allowed "
                         "(NEURON_MAX_FEATURES)", header_line)  # fmt: skip
    rows: list[list[float]] = []
    labels: list[str] = []
    lines: list[int] = []
    skipped = 0
    number = _number_reader(separator, options.max_abs_value)
    for line, cells in records:
        try:
            values, label = _row(cells, names, features, label_at, number, line)
        except TableError:
            if not options.skip_bad:
                raise
            skipped += 1
            continue
        if len(rows) == options.max_rows:
            raise TableError(f"more than {options.max_rows} rows of data; at most "
                             f"{options.max_rows} allowed (NEURON_MAX_SAMPLES)", line)  # fmt: skip
        rows.append(values)
        labels.append(label)
        lines.append(line)
    if not rows:
        what = "every row of data was bad and left out" if skipped else "a header with no rows of data below it"
        raise TableError(what, header_line)
    y, class_names = _classes(labels, lines, names[label_at], options.positive)
    X = np.array(rows, dtype=np.float64).reshape(len(rows), len(features))
    return Table(X, y, [names[i] for i in features], class_names, names[label_at], skipped)


def sniff_separator(text: str) -> str:
    """The separator that splits the first lines into the same number (> 1) of fields, the
    most fields winning; a file of one column falls back to the comma. On a tie the semicolon
    wins: a file that commas and semicolons both split alike is a spreadsheet with decimal
    commas in every row (a comma-separated file rarely has as many semicolons on every line)."""
    head = [line for line in text.splitlines() if line.strip()][:SNIFF_LINES]
    best, best_width = ",", 1
    for sep in sorted(SEPARATORS, key=lambda s: s != ";"):
        widths = {len(cells) for cells in csv.reader(head, delimiter=sep)}
        if len(widths) == 1 and (width := widths.pop()) > best_width:
            best, best_width = sep, width
    if best_width == 1:  # ragged whatever the separator: the one the header uses most
        counts = {sep: len(next(csv.reader(head[:1], delimiter=sep), [])) for sep in SEPARATORS}
        best = max(SEPARATORS, key=lambda s: counts[s])
    return best


def _records(text: str, separator: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank record; a line of empty cells counts as blank."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if any(c.strip() for c in cells):
                yield line, [c.strip() for c in cells]
    except csv.Error as error:
        raise TableError(f"unreadable quoting ({error})", reader.line_num) from None


def _column_names(header: list[str]) -> list[str]:
    """Header names; empty trailing ones (a spreadsheet's stray separator) dropped, other empty
    ones called "column N"."""
    while header and not header[-1]:
        header = header[:-1]
    return [name or f"column {i + 1}" for i, name in enumerate(header)]


def _label_index(names: list[str], wanted: str | None) -> int:
    if wanted is not None:
        for match in (lambda n: n == wanted, lambda n: n.casefold() == wanted.casefold()):
            found = [i for i, n in enumerate(names) if match(n)]
            if found:
                return found[0]
        raise NeuronError("label", f"no column named {wanted!r}; the columns are {names}",
                          "csv_no_label", {"label": wanted})  # fmt: skip
    folded = [n.casefold() for n in names]
    for conventional in LABEL_NAMES:
        if conventional in folded:
            return folded.index(conventional)
    return len(names) - 1


NumberReader = Callable[[str], "float | str"]  # a value, or what is wrong with the cell


def _number_reader(separator: str, max_abs: float) -> NumberReader:
    decimal_comma = separator != ","

    def number(cell: str) -> float | str:
        text = cell.replace(",", ".") if decimal_comma and "," in cell and "." not in cell else cell
        if not NUMBER.fullmatch(text):
            return f"{cell!r} is not a number"  # (code csv_not_number, see _row)
        value = float(text)
        return value if abs(value) <= max_abs else f"{cell!r} is larger than {max_abs:g} in size"

    return number


def _row(cells: list[str], names: list[str], features: list[int], label_at: int,
         number: NumberReader, line: int) -> tuple[list[float], str]:  # fmt: skip
    """A record's feature values and its label text, or a TableError saying what is wrong."""
    if len(cells) > len(names) and not any(cells[len(names):]):
        cells = cells[: len(names)]
    if len(cells) != len(names):
        raise TableError(f"{len(cells)} values, but the header has {len(names)} columns", line,
                         code="csv_width", params={"values": len(cells), "columns": len(names)})  # fmt: skip
    label = cells[label_at]
    if not label:
        raise TableError("the label is missing", line, names[label_at], "csv_label_missing")
    values = []
    for i in features:
        cell = cells[i]
        if not cell:
            raise TableError("the value is missing", line, names[i], "csv_value_missing")
        value = number(cell)
        if isinstance(value, str):
            code = "csv_not_number" if value.endswith("is not a number") else None
            raise TableError(value, line, names[i], code, {"value": cell})
        values.append(value)
    return values, label


def _classes(labels: list[str], lines: list[int], column: str,
             positive: str | None) -> tuple[Labels, list[str]]:  # fmt: skip
    """Two distinct labels become 0 and 1: in sorted order (numbers by value), or the one named
    `positive` as 1. Numbers that are equal (1 and 1.0) are one class, named as first written."""
    numeric = all(NUMBER.fullmatch(label) for label in labels)
    key = (lambda s: float(s)) if numeric else (lambda s: s)
    names: dict[object, str] = {}
    for label, line in zip(labels, lines):
        k = key(label)
        if k not in names:
            if len(names) == 2:
                seen = ", ".join(repr(n) for n in names.values())
                raise TableError(f"a third class {label!r} (after {seen}); one neuron separates "
                                 "two classes: keep the rows of two", line, column,
                                 "csv_third_class", {"label": label})  # fmt: skip
            names[k] = label
    if len(names) < 2:
        only = next(iter(names.values()))
        raise TableError(f"every row has the class {only!r}; a neuron needs two classes to "
                         "tell apart", None, column, "csv_one_class", {"label": only})  # fmt: skip
    order = sorted(names)  # type: ignore[type-var]
    if positive is not None:
        match = [k for k in order if names[k] == positive or (numeric and NUMBER.fullmatch(positive)
                                                              and k == float(positive))]  # fmt: skip
        if not match:
            raise NeuronError("positive", f"{positive!r} is not a class of column {column!r}; "
                              f"one of {[names[k] for k in order]}", "csv_not_a_class",
                              {"positive": positive, "column": column})  # fmt: skip
        order = [k for k in order if k != match[0]] + match
    index = {k: i for i, k in enumerate(order)}
    y = np.array([index[key(label)] for label in labels], dtype=np.int64)
    return y, [names[k] for k in order]


def write_csv(X: Array, y: Labels, feature_names: list[str], class_names: list[str],
              label_column: str = "label") -> str:  # fmt: skip
    """The rows as a CSV that `read_csv` reads back to the same X, y and names: a header, the
    label last (named as it was, else "label"), each value as short as it is exact."""
    taken = set(feature_names)
    while label_column in taken:
        label_column = f"{label_column}_"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*feature_names, label_column])
    for row, cls in zip(X.tolist(), y.tolist()):
        writer.writerow([*(_short(v) for v in row), class_names[cls]])
    return out.getvalue()


def _short(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
