"""Small fixes of the lead's, session 28."""

from __future__ import annotations

from typer.testing import CliRunner

from hpplan import cli


def test_report_to_a_name_without_a_suffix_says_so_and_how(tmp_path, data):
    out = tmp_path / "board"
    done = CliRunner().invoke(cli.app, ["report", "--data", str(data), "-o", str(out)])
    assert done.exit_code == 2
    said = " ".join(done.output.split())
    assert "no suffix is none of them" not in said
    assert "a name without a suffix does not say which; give --format" in said and "--format html)" in said
    assert not out.exists()
    pdf = CliRunner().invoke(cli.app, ["report", "--data", str(data), "-o", str(tmp_path / "board.pdf")])
    assert pdf.exit_code == 2 and ".pdf is none of them" in " ".join(pdf.output.split())
    assert "--format html" not in pdf.output  # an HTML page under a .pdf name is not what to suggest
