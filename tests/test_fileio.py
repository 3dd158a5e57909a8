"""The one atomic file writer: whole file or nothing, clear errors."""

import os

import pytest

from spotme_dns.errors import InputError
from spotme_dns.fileio import write_atomically


def test_writes_whole_file_and_leaves_no_temp(tmp_path):
    """The text lands at the path; no temporary file remains beside it."""
    target = tmp_path / "r.json"
    write_atomically(target, "one\ntwo\n")
    assert target.read_text() == "one\ntwo\n"
    assert os.listdir(tmp_path) == ["r.json"]


def test_keep_mode_keeps_permissions(tmp_path):
    """keep_mode: an existing file keeps its permission bits."""
    target = tmp_path / "spec.yaml"
    target.write_text("old")
    target.chmod(0o640)
    write_atomically(target, "new", keep_mode=True)
    assert target.read_text() == "new" and (target.stat().st_mode & 0o777) == 0o640


@pytest.mark.parametrize(
    ("name", "code", "words"),
    [("missing/r.json", "output-dir-missing", "does not exist"), (".", "output-is-directory", "is a directory")],
    ids=["missing-directory", "directory"],
)
def test_bad_targets_are_input_errors(tmp_path, name, code, words):
    """A target that can't be a file is an InputError naming the option and the path."""
    with pytest.raises(InputError) as err:
        write_atomically(tmp_path / name, "x", label="--output")
    [problem] = err.value.problems
    assert problem.code == code and words in problem.message and problem.message.startswith("--output: ")
