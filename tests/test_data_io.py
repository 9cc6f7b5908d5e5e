"""read_table and friends against every line of bad-inputs.md §Tables, and the good cases."""

from __future__ import annotations

import csv
import io
import math
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.errors import DataError
from lib.tables.read import (
    MIN_ROWS,
    ReadLimits,
    Table,
    numeric_frame,
    read_table,
    safe_csv,
    table_from_frame,
)
from lib.text.escape import code_span, code_text, inert


def rows(n: int = 12, sep: str = ",") -> str:
    return "".join(f"{i}{sep}{2 * i + 0.5}{sep}name{i}\n" for i in range(n))


def csv_bytes(n: int = 12, sep: str = ",", header: str | None = None) -> bytes:
    header = header if header is not None else sep.join(["a", "b", "c"])
    return (header + "\n" + rows(n, sep)).encode()


# ----------------------------------------------------------------------------- good input


def test_reads_a_plain_csv_with_numbers_as_float64() -> None:
    table = read_table(csv_bytes(), name="t.csv")
    assert isinstance(table, Table)
    assert table.name == "t.csv"
    df = table.data
    assert list(df.columns) == ["a", "b", "c"]
    assert df["a"].dtype == np.float64 and df["b"].dtype == np.float64
    assert df["b"].tolist() == [2 * i + 0.5 for i in range(12)]
    r = table.report
    assert (r.rows, r.columns, r.separator, r.encoding, r.file_type) == (12, 3, ",", "utf-8", "csv")
    assert r.dtypes == {"a": "number", "b": "number", "c": "text"}
    assert r.missing == {"a": 0, "b": 0, "c": 0}
    assert r.renamed == {} and r.dropped_rows == 0
    lines = r.lines()
    assert lines[0].startswith("12 rows × 3 columns")
    assert any("No missing cells" in line for line in lines)


def test_sources_path_str_bytes_bytesio_and_uploaded_file(tmp_path) -> None:
    data = csv_bytes()
    path = tmp_path / "data.csv"
    path.write_bytes(data)

    class Uploaded(io.BytesIO):  # like streamlit's UploadedFile: a BytesIO with a name
        name = "upload.csv"

    up = Uploaded(data)
    up.read()  # already read once by someone: read_table starts from the beginning
    tables = [
        read_table(path),
        read_table(str(path)),
        read_table(data),
        read_table(bytearray(data)),
        read_table(io.BytesIO(data)),
        read_table(up),
        read_table(data.decode()),  # CSV text
    ]
    for t in tables:
        pd.testing.assert_frame_equal(t.data, tables[0].data)
    assert tables[0].name == "data.csv"
    assert tables[5].name == "upload.csv"


def test_missing_path_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(DataError, match="cannot open"):
        read_table(tmp_path / "nope.csv")


def test_unknown_source_type() -> None:
    with pytest.raises(DataError, match="cannot read a table"):
        read_table(12345)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- §Tables: empty


@pytest.mark.parametrize("data", [b"", b"   ", b"\n\n\n", b" \t \r\n  \n", "\ufeff".encode()])
def test_empty_or_whitespace_only(data: bytes) -> None:
    with pytest.raises(DataError, match="empty"):
        read_table(data)


# ----------------------------------------------------------------------------- §Tables: too few rows


@pytest.mark.parametrize("n", [0, 1, MIN_ROWS - 1])
def test_header_only_one_row_too_few_rows(n: int) -> None:
    with pytest.raises(DataError, match=f"need at least {MIN_ROWS} rows"):
        read_table(csv_bytes(n))


def test_exactly_min_rows_is_fine() -> None:
    assert read_table(csv_bytes(MIN_ROWS)).report.rows == MIN_ROWS


# ----------------------------------------------------------------------------- §Tables: encodings


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [
        ("latin-1", "cp1252"),
        ("cp1252", "cp1252"),
        ("utf-16", "utf-16"),  # with a byte-order mark
        ("utf-16-le", "utf-16-le"),  # without one
        ("utf-16-be", "utf-16-be"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-8", "utf-8"),
    ],
)
def test_encodings_are_decoded(encoding: str, reported: str) -> None:
    text = "température,città,naïve\n" + "".join(f"{i},{i * 2},café{i}\n" for i in range(12))
    table = read_table(text.encode(encoding))
    assert list(table.data.columns) == ["température", "città", "naïve"]
    assert table.data["naïve"].iloc[3] == "café3"
    assert table.report.encoding == reported
    assert table.data["température"].dtype == np.float64


def test_utf8_file_with_latin1_bytes_late_in_the_file_falls_back() -> None:
    head = "a,b,c\n" + "".join(f"{i},{i},plain\n" for i in range(5000))  # > the sniffed prefix
    tail = "".join(f"{i},{i},café\n" for i in range(5))
    table = read_table(head.encode() + tail.encode("latin-1"))
    assert table.data["c"].iloc[-1] == "café"
    assert table.report.encoding == "cp1252"
    assert any("not valid UTF-8" in n for n in table.report.notes)


def test_binary_junk_is_refused() -> None:
    with pytest.raises(DataError, match="binary"):
        read_table(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(DataError, match="Excel"):
        read_table(b"PK\x03\x04" + b"\x00" * 100)


def test_broken_utf16_is_a_clear_encoding_error() -> None:
    data = "a,b\n1,2\n".encode("utf-16") + b"\x00\xd8"  # a lone surrogate at the end
    with pytest.raises(DataError, match="UTF-16"):
        read_table(data)


# ----------------------------------------------------------------------------- §Tables: separators


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_separators_are_detected(sep: str) -> None:
    table = read_table(csv_bytes(sep=sep))
    assert table.report.separator == sep
    assert list(table.data.columns) == ["a", "b", "c"]
    assert table.data["b"].iloc[2] == 4.5


def test_excel_sep_line_names_the_separator() -> None:
    lines = ["sep=;", "a;b", *[f"{i};{i}" for i in range(12)]]
    lines[8] = "1"  # line 9 of the file
    with pytest.raises(DataError, match=r"line 9\b"):
        read_table("\r\n".join(lines).encode())
    lines[8] = "1;1"
    table = read_table("\r\n".join(lines).encode())
    assert table.report.separator == ";" and list(table.data.columns) == ["a", "b"]


def test_semicolon_file_with_decimal_commas() -> None:
    text = "x;y\n" + "".join(f"{i},5;{i * 2},25\n" for i in range(12))
    table = read_table(text.encode())
    assert table.report.separator == ";"
    assert table.data["x"].iloc[1] == 1.5 and table.data["y"].iloc[1] == 2.25


def test_quoted_separators_do_not_fool_the_sniffer() -> None:
    text = 'name;score\n"Smith, J.";1\n' + "".join(f'"Doe, {i}";{i}\n' for i in range(11))
    table = read_table(text.encode())
    assert table.report.separator == ";"
    assert table.data["name"].iloc[0] == "Smith, J."


def test_one_column_warns() -> None:
    text = "x y z\n" + "".join(f"{i} {i} {i}\n" for i in range(12))
    table = read_table(text.encode())
    assert table.report.columns == 1
    assert any("only one column found" in n.lower() for n in table.report.notes)
    assert any("only one column found" in line.lower() for line in table.report.lines())


# ----------------------------------------------------------------------------- §Tables: names


def test_duplicate_and_blank_names_are_made_unique_and_reported() -> None:
    header = "a,a,,b, ,a"
    text = header + "\n" + "".join(f"{i},{i},{i},{i},{i},{i}\n" for i in range(12))
    table = read_table(text.encode())
    cols = list(table.data.columns)
    assert cols == ["a", "a_2", "column_3", "b", "column_5", "a_3"]
    assert len(set(cols)) == len(cols)
    assert table.report.renamed == {
        "a": "a_2",
        "": "column_3",
        " ": "column_5",
        "a (column 6)": "a_3",
    }
    assert any("renamed" in line for line in table.report.lines())


def test_generated_name_does_not_clash_with_an_existing_one() -> None:
    text = "a,a_2,a\n" + "".join(f"{i},{i},{i}\n" for i in range(12))
    cols = list(read_table(text.encode()).data.columns)
    assert len(set(cols)) == 3 and cols[:2] == ["a", "a_2"]


def test_trailing_separator_on_every_line_adds_no_column() -> None:
    text = "a,b,\n" + "".join(f"{i},{i},\n" for i in range(12))
    table = read_table(text.encode())
    assert list(table.data.columns) == ["a", "b"]


# ----------------------------------------------------------------------------- §Tables: ragged rows


@pytest.mark.parametrize(
    ("bad_line", "fields"),
    [("1,2", 2), ("1,2,3,4", 4), ("1", 1), ("1,2,3,4,5,6", 6)],
)
@pytest.mark.parametrize("where", [2, 7, 14])
def test_ragged_rows_name_the_line(bad_line: str, fields: int, where: int) -> None:
    lines = ["a,b,c", *[f"{i},{i},{i}" for i in range(13)]]
    lines.insert(where - 1, bad_line)  # becomes line `where` of the file
    with pytest.raises(DataError, match=rf"line {where}\b.*{fields} field") as err:
        read_table("\n".join(lines).encode() + b"\n")
    assert "header has 3" in str(err.value)


def test_ragged_row_line_number_counts_blank_lines_and_crlf() -> None:
    lines = ["a,b,c", "", *[f"{i},{i},{i}" for i in range(12)]]
    lines.insert(6, "9,9")  # line 7
    with pytest.raises(DataError, match=r"line 7\b"):
        read_table("\r\n".join(lines).encode())


def test_short_last_line_without_newline() -> None:
    text = "a,b,c\n" + rows(12) + "5,6"
    with pytest.raises(DataError, match=r"line 14\b"):
        read_table(text.encode())


def test_no_silent_shift_into_the_index() -> None:
    # one more field in every data row than in the header: pandas would use the
    # first column as the index; read_table refuses instead.
    text = "a,b\n" + "".join(f"{i},{i},{i}\n" for i in range(12))
    with pytest.raises(DataError, match=r"line 2\b"):
        read_table(text.encode())


@pytest.mark.parametrize("where", [2, 8])
def test_unterminated_quote_names_the_line(where: int) -> None:
    lines = ["a,b,c", *[f"{i},{i},x{i}" for i in range(12)]]
    lines[where - 1] = '5,6,"never closed'
    with pytest.raises(DataError, match=rf"line {where}\b.*quote") as err:
        read_table("\n".join(lines).encode() + b"\n")
    assert "never closed" in str(err.value)


def test_unterminated_quote_in_header() -> None:
    with pytest.raises(DataError, match="header.*quote"):
        read_table(b'a,"b,c\n1,2,3\n')


def test_quoted_fields_with_separators_newlines_and_inch_marks_are_fine() -> None:
    text = 'id,note,size\n1,"hello, world",5" screen\n2,"two\nlines",6" tv\n' + "".join(
        f'{i},"n{i}",{i}\n' for i in range(3, 13)
    )
    table = read_table(text.encode())
    assert table.report.rows == 12
    assert table.data["note"].iloc[1] == "two\nlines"
    # mostly numbers: the two inch marks are counted as text in a numeric column
    assert table.report.dtypes["size"] == "number"
    assert table.report.not_numbers["size"] == 2
    assert table.report.first_bad["size"] == (1, '5" screen')


def test_empty_cells_in_last_column_are_not_ragged() -> None:
    text = "a,b,c\n" + "".join(f"{i},{i},\n" if i % 2 else f"{i},{i},{i}\n" for i in range(12))
    table = read_table(text.encode())
    assert table.report.missing["c"] == 6


# ----------------------------------------------------------------------------- §Tables: missing cells


def test_text_inf_na_none_and_empty_are_counted_per_column() -> None:
    body = [f"{i},{i},{i}" for i in range(12)]
    body[2] = "abc,inf,5"
    body[4] = "NA,None,-inf"
    body[6] = ",7,"
    body[8] = "8,n/a,oops"
    table = read_table(("a,b,c\n" + "\n".join(body) + "\n").encode())
    r = table.report
    assert r.dtypes == {"a": "number", "b": "number", "c": "number"}
    assert r.missing == {"a": 3, "b": 3, "c": 3}
    assert r.not_numbers == {"a": 1, "c": 1}
    assert r.first_bad == {"a": (3, "abc"), "c": (9, "oops")}
    assert table.data["b"].iloc[2] == math.inf
    line = next(x for x in r.lines() if x.startswith("Missing"))
    assert "`a` 3 (1 of them text)" in line


def test_numeric_frame_drops_and_counts() -> None:
    body = [f"{i},{i},{i}" for i in range(14)]
    body[2] = "abc,inf,5"
    body[4] = "NA,3,4"
    table = read_table(("a,b,c\n" + "\n".join(body) + "\n").encode())
    frame, dropped = numeric_frame(table, ["a", "b"])
    assert dropped == 2
    assert len(frame) == 12 and list(frame.columns) == ["a", "b"]
    assert frame.dtypes.tolist() == [np.float64, np.float64]
    assert np.isfinite(frame.to_numpy()).all()
    assert 2 not in frame.index and 4 not in frame.index
    frame_c, dropped_c = numeric_frame(table, ["c"])
    assert dropped_c == 0 and len(frame_c) == 14


def test_numeric_frame_fail_names_column_count_and_first_cell() -> None:
    body = [f"{i},{i}" for i in range(20)]
    body[4] = "abc,1"
    for k in (7, 9):
        body[k] = "xyz,1"
    body[11] = "inf,1"
    table = read_table(("a,b\n" + "\n".join(body) + "\n").encode())
    with pytest.raises(
        DataError, match=r"column `a`: 4 cells are not numbers \(first at row 5: `'abc'`\)"
    ):
        numeric_frame(table, ["a", "b"], policy="fail")
    # same message from a plain DataFrame holding the raw text
    df = pd.DataFrame({"a": ["1", "2", "zz", "4"] * 5, "b": range(20)})
    with pytest.raises(
        DataError, match=r"column `a`: 5 cells are not numbers \(first at row 3: `'zz'`\)"
    ):
        numeric_frame(df, ["a", "b"], policy="fail")
    frame, dropped = numeric_frame(df, ["a", "b"], policy="drop")
    assert dropped == 5 and frame["a"].tolist()[:3] == [1.0, 2.0, 4.0]


def test_numeric_frame_too_few_rows_left() -> None:
    df = pd.DataFrame({"a": [1.0, np.nan] * 8, "b": range(16)})
    with pytest.raises(DataError, match=f"need at least {MIN_ROWS} rows.*8 of 16 left out"):
        numeric_frame(df, ["a", "b"])


def test_numeric_frame_unknown_and_text_columns() -> None:
    table = read_table(csv_bytes())
    with pytest.raises(DataError, match="did you mean `a`"):
        numeric_frame(table, ["aa"])
    with pytest.raises(DataError, match="holds text"):
        numeric_frame(table, ["c"])


def test_fully_empty_rows_are_dropped_and_counted() -> None:
    text = "a,b\n" + "".join(f"{i},{i}\n" + (",\n" if i % 4 == 0 else "") for i in range(12))
    table = read_table(text.encode())
    assert table.report.dropped_rows == 3
    assert table.report.rows == 12
    assert table.report.missing == {"a": 0, "b": 0}


def test_mostly_text_column_stays_text() -> None:
    text = "id,x\n" + "".join(f"P{i},{i}\n" for i in range(11)) + "12,12\n"
    table = read_table(text.encode())
    assert table.report.dtypes["id"] == "text"


# ----------------------------------------------------------------------------- §Tables: limits


def test_over_max_bytes_refused_before_parsing(tmp_path) -> None:
    limits = ReadLimits(max_bytes=100)
    data = csv_bytes(20)
    assert len(data) > 100
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    for source in (data, path, io.BytesIO(data)):
        with pytest.raises(DataError, match=r"the limit is"):
            read_table(source, limits=limits)


def test_default_limit_matches_the_server_upload_limit() -> None:
    import tomllib
    from pathlib import Path

    config = tomllib.loads(
        (Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text()
    )
    assert ReadLimits().max_bytes == config["server"]["maxUploadSize"] * 2**20


def test_unseekable_stream_over_the_limit_is_refused_without_reading_it_all() -> None:
    class Stream(io.RawIOBase):
        def __init__(self) -> None:
            self.served = 0

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def read(self, n: int = -1) -> bytes:
            assert n > 0, "must ask for a bounded number of bytes"
            self.served += n
            return b"1" * n

    stream = Stream()
    with pytest.raises(DataError, match="the limit is"):
        read_table(stream, limits=ReadLimits(max_bytes=1000))  # type: ignore[arg-type]
    assert stream.served <= 1001


def test_rows_are_capped_with_a_note() -> None:
    table = read_table(csv_bytes(500), limits=ReadLimits(max_rows=50))
    assert table.report.rows == 50
    assert table.data["a"].iloc[-1] == 49
    assert any("only the first 50" in n for n in table.report.notes)


def test_twenty_thousand_columns_are_capped_with_a_note() -> None:
    header = ",".join(f"c{i}" for i in range(20_000))
    line = ",".join("1" for _ in range(20_000))
    data = (header + "\n" + (line + "\n") * 12).encode()
    table = read_table(data)
    assert table.report.columns == 1_000
    assert list(table.data.columns[:2]) == ["c0", "c1"]
    assert any("20,000 columns" in n for n in table.report.notes)


def test_column_cap_still_checks_field_counts() -> None:
    lines = ["a,b,c,d", *[f"{i},{i},{i},{i}" for i in range(12)]]
    lines[5] = "1,2,3"
    with pytest.raises(DataError, match=r"line 6\b"):
        read_table("\n".join(lines).encode(), limits=ReadLimits(max_columns=2))


def test_bad_limits() -> None:
    with pytest.raises(ValueError):
        ReadLimits(max_rows=0)


# ----------------------------------------------------------------------------- Parquet


def _parquet(df: pd.DataFrame, **kwargs) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), sink, **kwargs)
    return sink.getvalue()


def test_parquet_from_bytes_and_path(tmp_path) -> None:
    df = pd.DataFrame(
        {"x": np.arange(30, dtype="int64"), "y": np.linspace(0, 1, 30), "g": ["a", "b", "c"] * 10}
    )
    data = _parquet(df)
    assert data[:4] == b"PAR1"
    path = tmp_path / "t.parquet"
    path.write_bytes(data)
    for source in (data, path, io.BytesIO(data)):
        table = read_table(source)
        assert table.report.file_type == "parquet"
        assert table.report.separator is None and table.report.encoding is None
        assert table.data["x"].dtype == np.float64
        assert table.report.dtypes == {"x": "number", "y": "number", "g": "text"}
        np.testing.assert_allclose(table.data["y"], df["y"])


def test_parquet_caps_rows_and_columns() -> None:
    df = pd.DataFrame({f"c{i}": np.arange(1000.0) for i in range(8)})
    table = read_table(
        _parquet(df, row_group_size=100), limits=ReadLimits(max_rows=250, max_columns=3)
    )
    assert table.data.shape == (250, 3)
    assert any("8 columns" in n for n in table.report.notes)
    assert any("only the first 250" in n for n in table.report.notes)


def test_parquet_duplicate_names_and_missing_values() -> None:
    t = pa.table([pa.array([1.0, None] * 10), pa.array(range(20))], names=["a", "a"])
    sink = io.BytesIO()
    pq.write_table(t, sink)
    table = read_table(sink.getvalue())
    assert list(table.data.columns) == ["a", "a_2"]
    assert table.report.missing["a"] == 10


def test_corrupt_parquet_is_a_clear_error() -> None:
    with pytest.raises(DataError, match="Parquet"):
        read_table(b"PAR1" + b"\x00garbage" * 20)


# ----------------------------------------------------------------------------- §Tables: hostile text


HOSTILE = ["<script>alert(1)</script>", "[x](javascript:alert(1))", "$\\frac{1}{0}$", "**b**"]


def test_hostile_names_and_cells_are_just_data() -> None:
    header = ",".join(f'"{h}"' for h in HOSTILE)
    body = "".join(
        ",".join(f'"{h}"' if j == 0 else str(i) for j, h in enumerate(HOSTILE)) + "\n"
        for i in range(12)
    )
    table = read_table((header + "\n" + body).encode())
    assert list(table.data.columns) == HOSTILE
    assert table.data[HOSTILE[0]].iloc[0] == HOSTILE[0]
    for line in table.report.lines():
        # names appear only inside code spans, where Markdown, HTML and LaTeX are inert
        outside = re.sub(r"`[^`]*`", "", line)
        assert "<script>" not in outside and "](" not in outside and "$" not in outside


@pytest.mark.parametrize(
    "text",
    [
        *HOSTILE,
        "a_b*c",
        ":red[alert]",
        "line\nbreak",
        "\u202eevil",
        "back\\slash",
        "&lt;b&gt;",
        "# heading",
        "`code`",
    ],
)
def test_inert_escapes_markdown_html_and_latex(text: str) -> None:
    out = inert(text)
    assert "\n" not in out and "\u202e" not in out
    # every ASCII punctuation character is preceded by a backslash
    i = 0
    while i < len(out):
        if out[i] == "\\":
            assert i + 1 < len(out) and not out[i + 1].isalnum() and not out[i + 1].isspace()
            i += 2
            continue
        assert out[i].isalnum() or out[i].isspace() or ord(out[i]) > 127, (text, out)
        i += 1
    # unescaping gives back the (cleaned) text
    assert re.sub(r"\\(.)", r"\1", out) == text.replace("\n", " ").replace("\u202e", "")


def test_inert_cuts_long_text() -> None:
    assert inert("abcdefghij", max_chars=5) == "abcd…"


@pytest.mark.parametrize(
    "text", [*HOSTILE, "`code`", "x`![p](https://evil.example/p.png)`", "a\n`b`"]
)
def test_one_inert_code_quote_at_every_call_site(text: str) -> None:
    """Names, link values and pieces of equations are quoted by lib.text.escape alone."""
    from lib.ui import fields, tables
    from lib.world.expressions import compile_equation

    for quoted in (False, True):
        inside = code_text(text, quoted=quoted)
        assert "`" not in inside and "\n" not in inside
        assert code_span(text, quoted=quoted) == f"`{inside}`"
    assert fields.quote(text) == code_text(text, 60, quoted=True)
    assert tables._quote(text) == code_span(text, 40, quoted=True)
    with pytest.raises(ValueError) as info:
        compile_equation(f"x + {text}", ["x"])
    message = str(info.value)
    assert "`![" not in message and "`[" not in message


def test_code_text_cuts_and_quotes() -> None:
    assert code_text("abcdefghij", 5) == "abcd…"
    assert code_text("abcdefghij", 5, quoted=True) == "'abcd…'"
    assert code_text("a \t\n b") == "a b"
    assert code_span("") == "`(blank)`" and code_span(" ", quoted=True) == "`' '`"


# ----------------------------------------------------------------------------- export


def test_safe_csv_defuses_formulas_but_not_numbers() -> None:
    df = pd.DataFrame(
        {
            "=cmd": ["=1+2", "+SUM(A1)", "-2+3", "@A1", "\tx", "\rx", "\0x", "ok", None, "a=b"],
            "n": [-1.5, 2.0, 3, 4, 5, 6, 7, 8, 9, -10],
        }
    )
    out = safe_csv(df).decode()
    back = list(csv.reader(io.StringIO(out, newline="")))
    assert back[0] == ["'=cmd", "n"]
    cells = [row[0] for row in back[1:]]
    assert cells[:7] == ["'=1+2", "'+SUM(A1)", "'-2+3", "'@A1", "'\tx", "'\rx", "'\0x"]
    assert cells[7:] == ["ok", "", "a=b"]
    numbers = [float(row[1]) for row in back[1:]]
    assert numbers[0] == -1.5 and numbers[-1] == -10
    assert df["=cmd"].iloc[0] == "=1+2"  # the input is untouched


def test_safe_csv_round_trips_through_read_table() -> None:
    table = read_table(csv_bytes())
    again = read_table(safe_csv(table.data))
    pd.testing.assert_frame_equal(again.data, table.data)


def test_table_from_frame() -> None:
    df = pd.DataFrame({"x": range(12), "x ": range(12), "g": ["u", "v"] * 6})
    table = table_from_frame(df, name="frame")
    assert table.report.file_type == "frame"
    assert list(table.data.columns) == ["x", "x_2", "g"]
    assert table.data["x"].dtype == np.float64


# ----------------------------------------------------------------------------- property test


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sep=st.sampled_from([",", ";", "\t", "|"]),
    n=st.integers(MIN_ROWS, 40),
    ncols=st.integers(2, 6),
    seed=st.integers(0, 2**16),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]),
)
def test_written_tables_read_back(sep: str, n: int, ncols: int, seed: int, encoding: str) -> None:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            f"col é{j}": rng.normal(size=n).round(6) * 10.0 ** rng.integers(-3, 4)
            for j in range(ncols)
        }
    )
    df["label"] = [f"x{i}, ü" for i in range(n)]
    data = df.to_csv(index=False, sep=sep).encode(encoding)
    table = read_table(data)
    assert table.report.separator == sep
    assert list(table.data.columns) == list(df.columns)
    pd.testing.assert_frame_equal(table.data, df, check_dtype=False)


@pytest.mark.parametrize(
    "raw",
    [
        "a,b\n" + "".join(f"{i},{i * 2}\n" for i in range(20)),
        "\ufeffa;b\r\n" + "".join(f"{i};{i * 2}\r\n" for i in range(20)),
        "sep=;\na;b\n" + "".join(f"{i};{i * 2}\n" for i in range(20)),
        '"a, first","b"\n' + "".join(f"{i},{i * 2}\n" for i in range(20)),
    ],
    ids=["plain", "bom-crlf", "excel-sep-line", "quoted-header"],
)
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_path_reads_like_the_same_bytes(tmp_path, raw: str, encoding: str) -> None:
    data = raw.encode(encoding)
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    from_path, from_bytes = read_table(path), read_table(data)
    pd.testing.assert_frame_equal(from_path.data, from_bytes.data)
    assert from_path.data.shape == (20, 2)
    assert from_path.data.iloc[-1].tolist() == [19, 38]


def test_text_in_a_column_of_numbers_is_said_with_its_count_and_first_cell() -> None:
    body = [f"{i},{i},{i}" for i in range(12)]
    body[2] = "abc,1,5"
    body[5] = "n/a?,2,oops"
    body[8] = "x,3,5"
    report = read_table(("a,b,c\n" + "\n".join(body) + "\n").encode()).report
    lines = report.text_in_numbers()
    assert len(lines) == len(report.not_numbers) == 2
    for line, (col, count) in zip(lines, report.not_numbers.items(), strict=True):
        row, text = report.first_bad[col]
        said = re.search(
            r"Column `(\w+)` holds numbers, but (\d+) cells? holds? text; "
            r"the first, in row (\d+), is `'(.*)'`",
            line,
        )
        assert said is not None, line
        assert said.groups() == (col, str(count), str(row), text)
    assert report.text_in_numbers(["b", "c"]) == lines[1:]  # only the columns asked about
    assert report.text_in_numbers(["b"]) == []
