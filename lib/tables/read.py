"""Reading a user's own table: CSV (any common separator and encoding) or Parquet.

>>> table = read_table(b"dose,relief\\n" + b"".join(b"%d,%d\\n" % (i, 2 * i) for i in range(12)))
>>> table.report.rows, table.report.separator, table.report.dtypes["dose"]
(12, ',', 'number')
>>> frame, dropped = numeric_frame(table, ["dose", "relief"])

:func:`read_table` takes a path, bytes, or a binary file-like object (what
``st.file_uploader`` gives), detects the separator and the encoding, and
returns the data together with a :class:`TableReport` of what it did. Every
problem a user can cause is a :class:`~lib.errors.DataError` with a message
that says what to fix. Sizes are capped by :class:`ReadLimits` *before* the
table is parsed, so no upload can exhaust the server's memory.

Cells are data, never markup: :func:`inert` makes any text safe to show in
Markdown, and :func:`safe_csv` writes a CSV that a spreadsheet will not run
as formulas.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

import numpy as np
import pandas as pd

from lib.errors import DataError, did_you_mean
from lib.text.escape import code_list, code_span

__all__ = [
    "MIN_ROWS",
    "DataError",
    "ReadLimits",
    "Table",
    "TableReport",
    "numeric_frame",
    "read_table",
    "safe_csv",
    "table_from_frame",
]

#: Fewest rows a table needs (and fewest usable rows a fit needs).
MIN_ROWS: int = 10
#: Separators tried, in order of preference when several fit equally well.
SEPARATORS = (",", ";", "\t", "|")
#: How much of the file the separator and encoding are guessed from.
SNIFF_BYTES = 64 * 1024
#: Longest header line accepted.
MAX_HEADER_BYTES = 8 * 2**20
#: Extra texts read as missing cells (pandas' defaults already cover NA, None, null, ...).
EXTRA_NA = ["-", "?", ".", "missing", "Missing", "MISSING", "none", "NONE"]
#: Cells that begin with one of these are prefixed with ``'`` by :func:`safe_csv`.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")
#: Share of a text column's filled cells that must be numbers for it to count as numeric.
NUMERIC_SHARE = 0.5

_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with a byte-order mark",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 (little-endian, no byte-order mark)",
    "utf-16-be": "UTF-16 (big-endian, no byte-order mark)",
    "utf-32": "UTF-32",
    "cp1252": "Windows-1252 (Latin-1)",
    "latin-1": "Latin-1 (ISO 8859-1)",
}
_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


@dataclass(frozen=True)
class ReadLimits:
    """How much of a file :func:`read_table` accepts.

    Attributes
    ----------
    max_bytes : int
        Larger files are refused before anything is parsed. The default
        matches ``server.maxUploadSize = 50`` (MB) in ``.streamlit/config.toml``.
    max_rows : int
        Rows beyond this are not read (the report says so).
    max_columns : int
        Columns beyond this are not read (the report says so).
    """

    max_bytes: int = 50 * 2**20
    max_rows: int = 1_000_000
    max_columns: int = 1_000

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_rows", "max_columns"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"ReadLimits.{name} must be a positive whole number.")


@dataclass(frozen=True)
class TableReport:
    """What :func:`read_table` found and did.

    Attributes
    ----------
    rows, columns : int
        Size of the table as read (after any cap).
    separator : str or None
        The CSV separator (``None`` for Parquet and data frames).
    encoding : str or None
        Python's name of the text encoding (``None`` for Parquet).
    file_type : str
        ``"csv"``, ``"parquet"`` or ``"frame"`` (a table built in memory).
    dtypes : dict of str to str
        Column -> ``"number"``, ``"text"`` or ``"other"`` (dates and such).
    missing : dict of str to int
        Column -> cells that are not usable numbers (empty, NA, None, inf, or
        text in a numeric column); for text columns, the empty cells.
    renamed : dict of str to str
        Original column name -> the unique name given to it. A name that
        occurs several times is keyed ``"name (column 3)"`` from its second
        occurrence on.
    dropped_rows : int
        Rows left out because every cell in them was empty.
    notes : tuple of str
        Plain sentences: what was detected, capped, renamed, and warnings.
    not_numbers : dict of str to int
        For numeric columns, how many of the ``missing`` cells held text.
    first_bad : dict of str to tuple of (int, str)
        For numeric columns with text cells, the first one: (row, text), rows
        counted from 1 under the header.
    """

    rows: int
    columns: int
    separator: str | None
    encoding: str | None
    file_type: str
    dtypes: dict[str, str]
    missing: dict[str, int]
    renamed: dict[str, str]
    dropped_rows: int
    notes: tuple[str, ...]
    not_numbers: dict[str, int] = field(default_factory=dict)
    first_bad: dict[str, tuple[int, str]] = field(default_factory=dict)

    def text_in_numbers(self, columns: Sequence[str] | None = None) -> list[str]:
        """One sentence per column of numbers that holds text cells (Markdown): how many,
        the first as read, and what becomes of them.

        Parameters
        ----------
        columns : sequence of str, optional
            Only these columns (those a page uses); every column when ``None``.
        """
        out = []
        for col, count in self.not_numbers.items():
            if not count or (columns is not None and col not in columns):
                continue
            first = self.first_bad.get(col)
            where = (
                f"; the first, in row {first[0]:,}, is {code_span(first[1], 30, quoted=True)}"
                if first is not None
                else ""
            )
            cells = f"{count:,} cell{'s' if count != 1 else ''}"
            out.append(
                f"Column {code_span(col)} holds numbers, but {cells} "
                f"{'hold' if count != 1 else 'holds'} text{where}. Text is not a number: "
                f"{'these cells count' if count != 1 else 'this cell counts'} as missing."
            )
        return out

    def lines(self) -> list[str]:
        """Human-readable summary lines (Markdown; column names are inert code spans)."""
        kind = {"csv": "CSV", "parquet": "Parquet", "frame": "table"}.get(
            self.file_type, self.file_type
        )
        how = []
        if self.separator is not None:
            how.append(f"separator: {_SEPARATOR_NAMES.get(self.separator, repr(self.separator))}")
        if self.encoding is not None:
            how.append(f"encoding: {_ENCODING_NAMES.get(self.encoding, self.encoding)}")
        out = [
            f"{self.rows:,} rows × {self.columns:,} columns ({kind}"
            + (f"; {'; '.join(how)}" if how else "")
            + ")."
        ]
        numbers = [c for c, t in self.dtypes.items() if t == "number"]
        texts = [c for c, t in self.dtypes.items() if t == "text"]
        others = [c for c, t in self.dtypes.items() if t == "other"]
        if numbers:
            out.append(f"Numbers: {code_list(numbers, limit=30, last=', ', empty='')}.")
        if texts:
            out.append(f"Text: {code_list(texts, limit=30, last=', ', empty='')}.")
        if others:
            out.append(
                f"Other (not usable in a model): {code_list(others, limit=30, last=', ', empty='')}."
            )
        gaps = {c: k for c, k in self.missing.items() if k}
        if gaps:
            parts = []
            for c, k in gaps.items():
                text = self.not_numbers.get(c, 0)
                extra = f" ({text:,} of them text)" if text else ""
                parts.append(f"{code_span(c)} {k:,}{extra}")
            out.append("Missing or unusable cells: " + ", ".join(parts) + ".")
        else:
            out.append("No missing cells.")
        for old, new in self.renamed.items():
            out.append(
                f"Column {code_span(old) if old else '(no name)'} renamed to {code_span(new)}."
            )
        if self.dropped_rows:
            out.append(f"{self.dropped_rows:,} completely empty rows left out.")
        out.extend(self.notes)
        return out


@dataclass(frozen=True)
class Table:
    """A table as read, with the report of how.

    Attributes
    ----------
    data : pandas.DataFrame
        Numeric columns as float64 (missing cells are NaN); other columns as read.
    report : TableReport
    name : str
        The file's name (or the name given).
    """

    data: pd.DataFrame = field(repr=False)
    report: TableReport
    name: str


# ----------------------------------------------------------------------------- text helpers


# ----------------------------------------------------------------------------- sources


@dataclass
class _Source:
    """The file's bytes (in memory) or its path (read lazily, in chunks)."""

    name: str
    size: int
    data: bytes | None = None
    path: Path | None = None

    def prefix(self, n: int) -> bytes:
        if self.data is not None:
            return self.data[:n]
        assert self.path is not None
        with self.path.open("rb") as fh:
            return fh.read(n)

    def open(self) -> BinaryIO:
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        return self.path.open("rb")

    def line_breaks(self, start: int, stop_after: int) -> int:
        """Line breaks after byte ``start``, counted up to ``stop_after`` (then stops).

        An upper bound on the rows (quoted fields may hold line breaks too): when
        it is small, pandas needs no row cap, whose bookkeeping doubles its time.
        """
        if self.data is not None:
            return self.data.count(b"\n", start)
        count = 0
        with self.open() as fh:
            fh.seek(start)
            while count <= stop_after and (chunk := fh.read(8 * 2**20)):
                count += chunk.count(b"\n")
        return count


def _too_big(size: int, limits: ReadLimits) -> DataError:
    return DataError(
        f"the file is {size / 2**20:,.1f} MB; the limit is {limits.max_bytes / 2**20:,.0f} MB. "
        f"Keep only the rows and columns you need (or save it as Parquet, which is smaller)."
    )


def _source(source: Any, name: str | None, limits: ReadLimits) -> _Source:
    if isinstance(source, str) and ("\n" in source or "\r" in source):
        source = source.encode("utf-8")  # CSV text rather than a path
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source) if not isinstance(source, bytes) else source
        if len(data) > limits.max_bytes:
            raise _too_big(len(data), limits)
        return _Source(name or "table", len(data), data=data)
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise DataError(f"cannot open {code_span(path.name)}: {exc.strerror or exc}.") from None
        if not path.is_file():
            raise DataError(f"{code_span(path.name)} is not a file.")
        if size > limits.max_bytes:
            raise _too_big(size, limits)
        return _Source(name or path.name, size, path=path)
    if hasattr(source, "read"):
        fname = name or Path(str(getattr(source, "name", "") or "table")).name
        try:
            if source.seekable():
                source.seek(0, io.SEEK_END)
                size = source.tell()
                if size > limits.max_bytes:
                    raise _too_big(size, limits)
                source.seek(0)
        except (AttributeError, OSError):
            pass
        raw = source.read(limits.max_bytes + 1)
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        if not isinstance(raw, bytes | bytearray):
            raise DataError("the upload could not be read as a file.")
        if len(raw) > limits.max_bytes:
            raise _too_big(len(raw), limits)
        return _Source(fname, len(raw), data=bytes(raw))
    raise DataError(
        f"cannot read a table from a {type(source).__name__}: give a file path, bytes or an "
        f"uploaded file."
    )


# ----------------------------------------------------------------------------- encoding


def _detect_encoding(prefix: bytes) -> tuple[str, int]:
    """The encoding and the length of its byte-order mark, from the file's first bytes."""
    if prefix.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32", 4
    if prefix.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", 3
    if prefix.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 2
    sample = prefix[:4096]
    nuls = sample.count(0)
    if nuls:
        even = sample[0::2].count(0)
        odd = sample[1::2].count(0)
        if odd > 0.3 * len(sample) / 2 and even == 0:
            return "utf-16-le", 0
        if even > 0.3 * len(sample) / 2 and odd == 0:
            return "utf-16-be", 0
        raise DataError(
            "the file contains NUL bytes: it looks like a binary file, not a text table. "
            "Save it as CSV (comma-separated values) and upload that."
        )
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(prefix, final=len(prefix) < SNIFF_BYTES)
        return "utf-8", 0
    except UnicodeDecodeError:
        pass
    try:
        prefix.decode("cp1252")
        return "cp1252", 0
    except UnicodeDecodeError:
        return "latin-1", 0


def _binary_kind(prefix: bytes) -> str | None:
    if prefix.startswith(b"PK\x03\x04"):
        return "a zip archive or an Excel workbook (.xlsx)"
    if prefix.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Excel workbook (.xls)"
    if prefix.startswith(b"\x1f\x8b"):
        return "a gzip-compressed file"
    if prefix.startswith(b"%PDF"):
        return "a PDF document"
    return None


# ----------------------------------------------------------------------------- CSV structure


def _header_end(src: _Source, start: int) -> tuple[int, int]:
    """Byte offset where the header record ends, and the header's first byte.

    Leading blank lines are skipped (pandas skips them too). The header may hold
    quoted separators or line breaks.
    """
    size = min(src.size, start + MAX_HEADER_BYTES)
    chunk = src.prefix(size)
    pos = start
    while pos < len(chunk) and chunk[pos : pos + 1] in (b"\n", b"\r", b" ", b"\t"):
        pos += 1
    first = pos
    quoted = False
    while pos < len(chunk):
        b = chunk[pos]
        if b == 34:  # "
            quoted = not quoted
        elif not quoted and b in (10, 13):
            end = pos + 1
            if b == 13 and chunk[end : end + 1] == b"\n":
                end += 1
            return end, first
        pos += 1
    if quoted:
        raise DataError(
            'line 1 (the header): a quote (") opens and is never closed. Close it or remove it.'
        )
    if len(chunk) >= MAX_HEADER_BYTES:
        raise DataError(f"the first line is longer than {MAX_HEADER_BYTES // 2**20} MB.")
    return len(chunk), first


def _records(text: str, sep: str, limit: int = 60) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"')
    out = []
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            out.append(row)
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return out


def _sniff_separator(text: str) -> tuple[str, int]:
    """The separator that splits the sample into the most columns, consistently.

    The header and most sample lines must agree on the number of fields.
    Returns the separator and the number of fields (1 if none fits).
    """
    # Drop a last line that may be cut in the middle.
    cut = max(text.rfind("\n"), text.rfind("\r"))
    sample = text[: cut + 1] if cut > 0 else text
    best: tuple[float, int, int] = (0.0, 1, 0)
    chosen = ","
    for rank, sep in enumerate(SEPARATORS):
        rows = _records(sample, sep)
        if not rows:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        body = rows[1:] or rows
        agree = sum(len(r) == width for r in body) / len(body)
        if agree < 0.5:
            continue
        score = (agree, width, -rank)
        if score > best:
            best, chosen = score, sep
    return chosen, best[1]


_DECIMAL_COMMA = re.compile(r"\s*[-+]?\d+,\d+\s*")
_DECIMAL_POINT = re.compile(r"\s*[-+]?\d*\.\d+\s*")


def _decimal_comma(text: str, sep: str) -> bool:
    if sep == ",":
        return False
    cells = [c for row in _records(text, sep)[1:] for c in row]
    commas = sum(bool(_DECIMAL_COMMA.fullmatch(c)) for c in cells)
    points = sum(bool(_DECIMAL_POINT.fullmatch(c)) for c in cells)
    return commas > 0 and points == 0


def _unique_names(raw: list[str]) -> tuple[list[str], dict[str, str], list[str]]:
    """Names made unique: blanks get ``column_<i>``, repeats ``<name>_<k>``."""
    cleaned = [" ".join(str(n).split()) for n in raw]
    taken = set(cleaned)
    seen: set[str] = set()
    names: list[str] = []
    renamed: dict[str, str] = {}
    notes: list[str] = []
    for i, (orig, name) in enumerate(zip(raw, cleaned, strict=True), start=1):
        new = name
        if not name:
            new = f"column_{i}"
            k = 2
            while new in taken or new in seen:
                new, k = f"column_{i}_{k}", k + 1
        elif name in seen:
            k = 2
            while f"{name}_{k}" in taken or f"{name}_{k}" in seen:
                k += 1
            new = f"{name}_{k}"
        seen.add(new)
        names.append(new)
        if new != orig:
            key = orig if orig not in renamed else f"{orig} (column {i})"
            renamed[key] = new
    blanks = sum(1 for n in cleaned if not n)
    repeats = len(cleaned) - blanks - len({n for n in cleaned if n})
    if blanks:
        notes.append(f"{blanks:,} column(s) had no name and were given one.")
    if repeats:
        notes.append(f"{repeats:,} repeated column name(s) were made unique.")
    return names, renamed, notes


def _looks_numeric(text: str) -> bool:
    try:
        float(text.replace(",", "."))
        return True
    except ValueError:
        return False


def _line_of(src: _Source, offset: int) -> int:
    """Physical line number (from 1) of a byte offset."""
    chunk = src.prefix(offset)
    return chunk.count(b"\n") + 1 if b"\n" in chunk else chunk.count(b"\r") + 1


def _check_field_counts(
    src: _Source, start: int, header_lines: int, encoding: str, sep: str, width: int, rows: int
) -> None:
    """Raise a DataError naming the first line whose field count differs from the header's."""
    fh = src.open()
    try:
        fh.seek(start)
        text = io.TextIOWrapper(fh, encoding=encoding, errors="replace", newline="")
        reader = csv.reader(text, delimiter=sep, quotechar='"')
        bad: list[tuple[int, int]] = []
        seen = 0
        line = header_lines
        try:
            for row in reader:
                line_start = line + 1
                line = header_lines + reader.line_num
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                seen += 1
                if len(row) != width and not (
                    len(row) > width and not any(c.strip() for c in row[width:])
                ):
                    bad.append((line_start, len(row)))
                if seen > rows:
                    break
        except csv.Error as exc:
            raise DataError(f"line {line + 1}: {exc}.") from None
    finally:
        fh.close()
    if bad:
        first_line, count = bad[0]
        more = f" ({len(bad):,} lines like this)" if len(bad) > 1 else ""
        raise DataError(
            f"line {first_line:,} has {count:,} field(s), but the header has {width:,}{more}. "
            f"Every row needs one value per column (an empty cell is fine, a missing "
            f"{_SEPARATOR_NAMES.get(sep, repr(sep))} is not): check that line for a missing or "
            f"extra separator or a stray quote."
        )


def _parser_error(exc: Exception, header_lines: int) -> DataError:
    msg = str(exc)
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
    if m:
        want, line, saw = (int(g) for g in m.groups())
        return DataError(
            f"line {line + header_lines:,} has {saw:,} fields, but the header has {want:,}. "
            f"Every row needs one value per column: check that line for an extra separator "
            f"or a value that should be quoted."
        )
    m = re.search(r"EOF inside string starting at row (\d+)", msg)
    if m:
        line = int(m.group(1)) + 1 + header_lines
        return DataError(
            f'line {line:,}: a quote (") opens there and is never closed, so the rest of the '
            f"file would be one cell. Close the quote or remove it."
        )
    return DataError(f"the file could not be read as a table: {msg.splitlines()[-1]}")


def _read_csv(src: _Source, limits: ReadLimits) -> tuple[pd.DataFrame, dict[str, Any]]:
    head = src.prefix(SNIFF_BYTES)
    kind = _binary_kind(head)
    if kind:
        raise DataError(
            f"this looks like {kind}, not a CSV table. Save the table as CSV "
            f"(comma-separated values) or Parquet and upload that."
        )
    encoding, bom = _detect_encoding(head)
    notes: list[str] = []
    if encoding.startswith(("utf-16", "utf-32")):
        # Rare and small: decode once and carry on as UTF-8.
        data = src.data if src.data is not None else src.prefix(src.size)
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise DataError(
                f"the file looks like {_ENCODING_NAMES[encoding]} but byte {exc.start:,} is not "
                f"valid in it. Save the file again as UTF-8."
            ) from None
        text = text.lstrip("\ufeff")
        src = _Source(src.name, 0, data=text.encode("utf-8"))
        src.size = len(src.data or b"")
        head = src.prefix(SNIFF_BYTES)
        notes.append(f"Decoded from {_ENCODING_NAMES[encoding]}.")
        read_encoding = "utf-8"
        bom = 0
    else:
        read_encoding = encoding
        if encoding in ("cp1252", "latin-1"):
            notes.append(
                f"The file is not UTF-8; it was read as {_ENCODING_NAMES[encoding]}. "
                f"Check that accented letters look right."
            )
    if re.search(rb"\S", head[bom:]) is None and (src.size <= SNIFF_BYTES or not head.strip()):
        raise DataError("the file is empty (or holds only spaces and blank lines).")

    start, first = _header_end(src, bom)
    header_bytes = src.prefix(start)[first:start]
    forced = re.fullmatch(rb"sep=([,;\t|])\s*", header_bytes)
    if forced:  # Excel's "sep=;" first line names the separator
        start, first = _header_end(src, start)
        header_bytes = src.prefix(start)[first:start]
    header_lines = _line_of(src, start) - 1 if start < src.size else _line_of(src, start)
    sample = head[first:].decode(read_encoding, errors="replace")
    sep = forced.group(1).decode() if forced else _sniff_separator(sample)[0]
    header_text = header_bytes.decode(read_encoding, errors="replace")
    header_rows = _records(header_text, sep, limit=1)
    raw_names = header_rows[0] if header_rows else [header_text.strip()]
    width = len(raw_names)
    if width == 1:
        notes.append(
            "Only one column found. If the file has several, its separator is not one of "
            "comma, semicolon, tab or vertical bar: save it as comma-separated values."
        )
    elif sep != ",":
        notes.append(f"Separator detected: {_SEPARATOR_NAMES[sep]}.")
    if width > 1 and all(_looks_numeric(n) for n in raw_names if n.strip()):
        notes.append(
            "The first line is all numbers: it was used as the header. If the file has no "
            "header line, add one with a name per column."
        )
    names, renamed, name_notes = _unique_names(raw_names)
    notes.extend(name_notes)
    usecols = None
    if width > limits.max_columns:
        usecols = names[: limits.max_columns]
        notes.append(
            f"The file has {width:,} columns; only the first {limits.max_columns:,} were read."
        )
    decimal = "."
    if _decimal_comma(sample, sep):
        decimal = ","
        notes.append("Decimal commas (3,5) were read as numbers.")

    suspicious: list[bool] = []
    # UTF-16 text has two bytes per line break: count conservatively (as if one).
    breaks = src.line_breaks(start, limits.max_rows + 2)
    row_cap = limits.max_rows + 1 if breaks > limits.max_rows else None

    # pandas parses a file it opens itself about twice as fast as a Python file
    # object: give it the path and skip the header lines, unless a quoted header
    # might hold a line break (then lines and rows could differ).
    head = src.prefix(start)
    by_path = (
        src.path is not None
        and b'"' not in head
        and head.count(b"\r") == head.count(b"\r\n")  # no old-Mac line ends
    )

    def parse(enc: str) -> pd.DataFrame:
        fh = src.open()
        try:
            fh.seek(start)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")  # mixed-type chunks are sorted out below
                df = pd.read_csv(
                    str(src.path) if by_path else fh,
                    skiprows=head.count(b"\n") if by_path else None,
                    sep=sep,
                    header=None,
                    names=names,
                    usecols=usecols,
                    index_col=False,
                    encoding=enc,
                    engine="c",
                    nrows=row_cap,
                    decimal=decimal,
                    na_values=EXTRA_NA,
                    skip_blank_lines=True,
                    quotechar='"',
                )
            # pandas drops the extra fields of a too-long first row with only a warning
            if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
                suspicious.append(True)
            return df
        finally:
            fh.close()

    try:
        try:
            df = parse(read_encoding)
        except UnicodeDecodeError as exc:
            if read_encoding not in ("utf-8", "utf-8-sig"):
                raise DataError(f"the file could not be decoded: {exc.reason}.") from None
            read_encoding = encoding = "cp1252"
            notes.append(
                "The file is not valid UTF-8 throughout; it was read as Windows-1252 (Latin-1). "
                "Check that accented letters look right."
            )
            try:
                df = parse("cp1252")
            except UnicodeDecodeError:
                read_encoding = encoding = "latin-1"
                df = parse("latin-1")
    except pd.errors.EmptyDataError:
        df = pd.DataFrame(columns=names if usecols is None else usecols)
    except pd.errors.ParserError as exc:
        raise _parser_error(exc, header_lines) from None
    except (ValueError, OverflowError, MemoryError) as exc:
        raise DataError(f"the file could not be read as a table: {exc}") from None

    # Short rows are padded with NaN by pandas: a padded row always leaves the last
    # column empty, so only then is the (slower, exact) field count needed.
    if (
        width > 1
        and len(df)
        and (suspicious or usecols is not None or bool(df.iloc[:, -1].isna().any()))
    ):
        _check_field_counts(
            src, start, header_lines, read_encoding, sep, width, min(len(df), limits.max_rows)
        )
    info = {
        "separator": sep,
        "encoding": encoding,
        "renamed": renamed,
        "notes": notes,
        "file_type": "csv",
    }
    return df, info


def _read_parquet(src: _Source, limits: ReadLimits) -> tuple[pd.DataFrame, dict[str, Any]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    notes: list[str] = []
    try:
        pf = pq.ParquetFile(pa.BufferReader(src.data) if src.data is not None else str(src.path))
        all_names = list(pf.schema_arrow.names)
        n_rows = pf.metadata.num_rows
        columns = all_names
        if len(all_names) > limits.max_columns:
            columns = all_names[: limits.max_columns]
            notes.append(
                f"The file has {len(all_names):,} columns; only the first "
                f"{limits.max_columns:,} were read."
            )
        indices = list(range(len(columns)))
        batches = []
        got = 0
        for batch in pf.iter_batches(batch_size=65_536, columns=None):
            batch = batch.select(indices)
            batches.append(batch)
            got += batch.num_rows
            if got > limits.max_rows:
                break
        table = (
            pa.Table.from_batches(batches)
            if batches
            else pf.schema_arrow.empty_table().select(indices)
        )
        if table.num_rows > limits.max_rows:
            table = table.slice(0, limits.max_rows + 1)
        df = table.rename_columns([str(i) for i in range(table.num_columns)]).to_pandas()
    except (OSError, pa.ArrowException, ValueError) as exc:
        raise DataError(f"this Parquet file could not be read: {exc}") from None
    names, renamed, name_notes = _unique_names([str(c) for c in columns])
    df.columns = names
    notes.extend(name_notes)
    if n_rows > limits.max_rows:
        notes.append(f"The file has {n_rows:,} rows.")
    return df, {
        "separator": None,
        "encoding": None,
        "renamed": renamed,
        "notes": notes,
        "file_type": "parquet",
    }


# ----------------------------------------------------------------------------- columns


def _column_kind(
    values: pd.Series,
) -> tuple[pd.Series, str, int, int, tuple[int, str] | None]:
    """Column as stored, its kind, missing cells, text cells, first text cell."""
    if pd.api.types.is_bool_dtype(values):
        out = values.astype("float64")
        return out, "number", int(out.isna().sum()), 0, None
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_complex_dtype(values):
        arr = values.to_numpy(dtype="float64", na_value=np.nan)
        out = values if values.dtype == np.float64 else pd.Series(arr, index=values.index)
        missing = int(arr.size - np.count_nonzero(np.isfinite(arr)))
        return out, "number", missing, 0, None
    if pd.api.types.is_string_dtype(values) or values.dtype == object:
        filled = values.notna()
        n_filled = int(filled.sum())
        if n_filled == 0:
            return values, "text", len(values), 0, None
        parsed = pd.to_numeric(values.astype("string").str.strip(), errors="coerce")
        ok = parsed.notna() & filled
        if int(ok.sum()) >= NUMERIC_SHARE * n_filled:
            arr = parsed.to_numpy(dtype="float64", na_value=np.nan)
            bad_text = filled & ~ok
            n_text = int(bad_text.sum())
            first = None
            if n_text:
                pos = int(np.flatnonzero(bad_text.to_numpy())[0])
                first = (pos + 1, str(values.iloc[pos]))
            missing = int(arr.size - np.count_nonzero(np.isfinite(arr)))
            return pd.Series(arr, index=values.index), "number", missing, n_text, first
        return values, "text", int((~filled).sum()), 0, None
    return values, "other", int(values.isna().sum()), 0, None


def _finish(df: pd.DataFrame, info: dict[str, Any], name: str, limits: ReadLimits) -> Table:
    notes: list[str] = list(info["notes"])
    if len(df) > limits.max_rows:
        df = df.iloc[: limits.max_rows]
        notes.append(
            f"The file has more than {limits.max_rows:,} rows; only the first "
            f"{limits.max_rows:,} were read."
        )
    dtypes: dict[str, str] = {}
    missing: dict[str, int] = {}
    not_numbers: dict[str, int] = {}
    first_bad: dict[str, tuple[int, str]] = {}
    columns: dict[str, pd.Series] = {}
    changed = False
    for col in df.columns:
        series, kind, n_missing, n_text, first = _column_kind(df[col])
        changed = changed or series is not df[col]
        columns[col], dtypes[col], missing[col] = series, kind, n_missing
        if n_text:
            not_numbers[col] = n_text
            if first is not None:
                first_bad[col] = first
    if changed:
        df = pd.DataFrame(columns, index=df.index, copy=False)
    # Columns without a name and without a single value (e.g. a separator at the end of
    # every line) carry nothing.
    renamed_new = set(info["renamed"].values())
    empty_unnamed = [
        c
        for c in df.columns
        if c in renamed_new and c.startswith("column_") and missing[c] == len(df) and len(df)
    ]
    if empty_unnamed:
        df = df.drop(columns=empty_unnamed)
        for c in empty_unnamed:
            dtypes.pop(c)
            missing.pop(c)
        info["renamed"] = {k: v for k, v in info["renamed"].items() if v not in empty_unnamed}
        notes.append(
            f"{len(empty_unnamed):,} column(s) without a name or any value were left out "
            f"(a separator at the end of each line?)."
        )
    dropped = 0
    if len(df.columns) and len(df) and min(missing.values(), default=0) > 0:
        blank = df.isna().all(axis=1).to_numpy()
        dropped = int(blank.sum())
        if dropped:
            df = df.loc[~blank].reset_index(drop=True)
            missing = {c: int(k - dropped) for c, k in missing.items()}
            before = np.cumsum(blank)
            first_bad = {
                c: (row - int(before[row - 1]), text) for c, (row, text) in first_bad.items()
            }
    if not len(df):
        raise DataError(
            f"the file has a header but no rows of data; need at least {MIN_ROWS} rows."
        )
    if len(df) < MIN_ROWS:
        raise DataError(
            f"need at least {MIN_ROWS} rows; the file has only {len(df):,} "
            f"row{'s' if len(df) != 1 else ''} of data under the header."
        )
    if len(df.columns) == 1 and not any("one column" in n for n in notes):
        notes.append("Only one column found: a model needs at least two (a target and a feature).")
    for col, kind in dtypes.items():
        if kind == "number" and missing[col] == len(df):
            notes.append(f"Column {code_span(col)} is empty.")
    report = TableReport(
        rows=len(df),
        columns=len(df.columns),
        separator=info["separator"],
        encoding=info["encoding"],
        file_type=info["file_type"],
        dtypes=dtypes,
        missing=missing,
        renamed=dict(info["renamed"]),
        dropped_rows=dropped,
        notes=tuple(notes),
        not_numbers=not_numbers,
        first_bad=first_bad,
    )
    return Table(data=df, report=report, name=name)


def read_table(
    source: str | Path | bytes | BinaryIO,
    *,
    name: str | None = None,
    limits: ReadLimits = ReadLimits(),  # noqa: B008 - frozen, so a shared default is safe
) -> Table:
    """Read a CSV (comma, semicolon, tab or bar separated) or Parquet table.

    Parameters
    ----------
    source : str, Path, bytes or binary file-like
        A file path, the file's bytes, or an open binary file (e.g. what
        ``st.file_uploader`` returns). A ``str`` holding a line break is read
        as CSV text.
    name : str, optional
        Shown in the report; defaults to the file's name.
    limits : ReadLimits
        Largest file, most rows and most columns read.

    Returns
    -------
    Table
        The data (numeric columns as float64) and a report of what was done.

    Raises
    ------
    DataError
        For an empty file, too few rows (fewer than :data:`MIN_ROWS`), a file
        over ``limits.max_bytes``, an unknown binary format, rows whose number
        of fields differs from the header's or an unclosed quote (naming the
        line), or text that cannot be decoded.
    """
    src = _source(source, name, limits)
    if src.size == 0:
        raise DataError("the file is empty.")
    head = src.prefix(4)
    if head == b"PAR1":
        df, info = _read_parquet(src, limits)
    else:
        df, info = _read_csv(src, limits)
    return _finish(df, info, src.name, limits)


def table_from_frame(
    df: pd.DataFrame, *, name: str, notes: Sequence[str] = (), limits: ReadLimits = ReadLimits()
) -> Table:  # noqa: B008 - frozen, so a shared default is safe
    """A :class:`Table` from a DataFrame already in memory (e.g. a bundled dataset).

    Column names are made unique strings and columns typed as :func:`read_table` does.
    """
    names, renamed, name_notes = _unique_names([str(c) for c in df.columns])
    frame = df.reset_index(drop=True).set_axis(names, axis=1)
    info = {
        "separator": None,
        "encoding": None,
        "renamed": renamed,
        "notes": [*notes, *name_notes],
        "file_type": "frame",
    }
    return _finish(frame, info, name, limits)


# ----------------------------------------------------------------------------- using a table


def numeric_frame(
    table_or_df: Table | pd.DataFrame,
    columns: Sequence[str],
    *,
    policy: Literal["drop", "fail"] = "drop",
) -> tuple[pd.DataFrame, int]:
    """The chosen columns as float64, without rows that have no usable number.

    Parameters
    ----------
    table_or_df : Table or pandas.DataFrame
    columns : sequence of str
        Columns a model will use (target and features).
    policy : {"drop", "fail"}
        ``"drop"``: leave out every row with a missing, infinite or non-numeric
        cell in these columns, and say how many. ``"fail"``: raise instead.

    Returns
    -------
    frame : pandas.DataFrame
        Float64 columns, in the order given; the kept rows keep their index.
    dropped : int
        How many rows were left out.

    Raises
    ------
    DataError
        For an unknown column, a text column, any unusable cell when
        ``policy="fail"`` (naming the column, how many, and the first one), or
        fewer than :data:`MIN_ROWS` rows left.
    """
    if policy not in ("drop", "fail"):
        raise ValueError(f"policy must be 'drop' or 'fail', not {policy!r}")
    if isinstance(table_or_df, Table):
        df, report = table_or_df.data, table_or_df.report
    else:
        df, report = table_or_df, None
    cols = [str(c) for c in dict.fromkeys(columns)]
    if not cols:
        raise DataError("choose at least one column.")
    known = [str(c) for c in df.columns]
    for c in cols:
        if c not in known:
            raise DataError(
                f"the table has no column {code_span(c)}{did_you_mean(c, known) or '.'}"
            )
    values: dict[str, np.ndarray] = {}
    problems: list[str] = []
    ok = np.ones(len(df), dtype=bool)
    for c in cols:
        raw = df[c]
        text_first: tuple[int, str] | None = report.first_bad.get(c) if report else None
        if pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
            arr = raw.to_numpy(dtype="float64", na_value=np.nan)
        else:
            parsed = pd.to_numeric(raw.astype("string").str.strip(), errors="coerce")
            arr = parsed.to_numpy(dtype="float64", na_value=np.nan)
            filled = raw.notna().to_numpy()
            text = filled & np.isnan(arr)
            if text.any():
                pos = int(np.flatnonzero(text)[0])
                text_first = (pos + 1, str(raw.iloc[pos]))
            if filled.sum() and not np.isfinite(arr).any():
                raise DataError(
                    f"column {code_span(c)} holds text, not numbers: it cannot be a target or a "
                    f"feature (it could mark environments)."
                )
        finite = np.isfinite(arr)
        bad = int(finite.size - np.count_nonzero(finite))
        if bad:
            pos = int(np.flatnonzero(~finite)[0])
            if text_first is not None and text_first[0] == pos + 1:
                shown = code_span(text_first[1], 30, quoted=True)
            elif np.isinf(arr[pos]):
                shown = code_span("inf" if arr[pos] > 0 else "-inf", quoted=True)
            else:
                shown = "empty or NA"
            problems.append(
                f"column {code_span(c)}: {bad:,} cell{'s are' if bad != 1 else ' is'} not "
                f"{'numbers' if bad != 1 else 'a number'} (first at row {pos + 1:,}: {shown})"
            )
            ok &= finite
        values[c] = arr
    if problems and policy == "fail":
        raise DataError(
            "; ".join(problems) + ". Fix these cells, or choose to drop the rows that have them."
        )
    dropped = int(len(df) - np.count_nonzero(ok))
    index = df.index[ok] if dropped else df.index
    frame = pd.DataFrame(
        {c: (v[ok] if dropped else v) for c, v in values.items()}, index=index, copy=False
    )
    if len(frame) < MIN_ROWS:
        why = (
            f" ({dropped:,} of {len(df):,} left out for missing or non-numeric cells)"
            if dropped
            else ""
        )
        raise DataError(
            f"need at least {MIN_ROWS} rows with numbers in {code_list(cols, limit=30, last=', ', empty='')}; "
            f"only {len(frame):,} remain{why}."
        )
    return frame, dropped


# ----------------------------------------------------------------------------- export


def _defuse(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_csv(df: pd.DataFrame) -> bytes:
    """A UTF-8 CSV (RFC 4180) for download that spreadsheets will not run as formulas.

    Text cells (and column names) beginning with ``= + - @``, a tab, a carriage
    return or NUL get a ``'`` in front (OWASP's advice against CSV injection).
    Numbers, including negative ones, are written as numbers.
    """
    out = df.copy(deep=False)
    out.columns = [_defuse(str(c)) for c in out.columns]
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
            out.isetitem(i, col.map(_defuse, na_action="ignore").astype(object))
    # CRLF line ends (RFC 4180) also make the writer quote cells holding a lone CR.
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8")
