"""Hostile inputs: links out of the project, special files, folders named like inputs, bombs, unusable
names and settings. Each is a message (file, line where there is one, what to do) and exit 1, never a
hang, a crash or a traceback; and nothing outside the project is read or written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from litgraph.cli.main import main

from .conftest import MakeProject

BIB = "@book{borg2017, author = {Borg, Marit}, title = {Recovery}, year = 2017}\n"
CLAIMS = """claims:
  - id: borg-recovery
    source: borg2017
    text: Recovery happens in everyday life.
    lang: en
    themes: [recovery-orientation]
"""
FILES = {"bibliography/refs.bib": BIB, "bibliography/claims/c.yaml": CLAIMS}


def _cli(root: Path, *args: str) -> tuple[int, str]:
    """Run the CLI in a process of its own (a hang is a failure, not a stuck suite)."""
    result = subprocess.run([sys.executable, "-m", "litgraph", *args, "-p", str(root)], capture_output=True, text=True,
                            timeout=120, cwd=root)  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stderr + result.stdout


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda p, out: p.symlink_to(out / "private.bib"), "outside the project", id="link-out-of-project"),
        pytest.param(lambda p, out: p.symlink_to("/etc/passwd"), "is a link to /etc/passwd, outside the project", id="link-to-etc-passwd"),
        pytest.param(lambda p, out: p.symlink_to("/dev/zero"), "outside the project", id="link-to-dev-zero"),
        pytest.param(lambda p, out: os.mkfifo(p), "is not a regular file (a FIFO, socket or device)", id="fifo"),
        pytest.param(lambda p, out: p.mkdir(), "is a folder, not a file", id="folder-named-like-a-bib"),
        pytest.param(lambda p, out: p.symlink_to(p.parent / "gone.bib"), "is a link to a file that does not exist", id="dangling-link"),
        pytest.param(lambda p, out: p.symlink_to(p), "cannot be followed", id="link-loop"),
    ],
)  # fmt: skip
def test_special_and_outside_files_are_refused_with_their_name(
    make_project: MakeProject, tmp_path: Path, make, message: str
) -> None:  # type: ignore[no-untyped-def]
    root = make_project(FILES)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "private.bib").write_text(
        "@misc{secret2020, title = {Someone else's data}, year = 2020}\n", encoding="utf-8"
    )
    make(root / "bibliography" / "evil.bib", outside)
    code, output = _cli(root, "build")
    assert code == 1
    assert "bibliography/evil.bib: error: " in output and message in output
    assert not (root / "site").exists()
    code, output = _cli(root, "validate")  # validate says the same, and reads nothing it refuses
    assert code == 1 and message in output and "secret2020" not in output


def test_a_file_name_that_is_not_utf8_is_refused(make_project: MakeProject) -> None:
    root = make_project(FILES)
    name = os.path.join(os.fsencode(root / "bibliography"), b"caf\xe9.bib")
    with open(name, "wb") as handle:
        handle.write(BIB.replace("borg2017", "cafe2020").encode())
    code, output = _cli(root, "build")
    assert code == 1 and "the file name is not UTF-8 text; rename the file" in output


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8-sig"])
def test_a_bib_with_a_byte_order_mark_is_read_in_its_encoding(make_project: MakeProject, encoding: str) -> None:
    root = make_project({"bibliography/claims/c.yaml": CLAIMS})
    (root / "bibliography" / "refs.bib").write_bytes(BIB.replace("Borg, Marit", "Ørnsholt, Åse").encode(encoding))
    code, output = _cli(root, "build")
    assert code == 0, output
    assert "Ørnsholt" in (root / "site" / "works" / "borg2017.html").read_text(encoding="utf-8")


def test_utf16_without_a_byte_order_mark_is_an_error_not_lost_entries(make_project: MakeProject) -> None:
    root = make_project({"bibliography/claims/c.yaml": CLAIMS})
    (root / "bibliography" / "refs.bib").write_bytes(BIB.encode("utf-16-le"))
    code, output = _cli(root, "build")
    assert code == 1 and "looks like UTF-16 or UTF-32 without a byte-order mark" in output


def test_a_string_bomb_is_stopped_at_the_limit(make_project: MakeProject) -> None:
    """40 @strings, each twice the one before: 1.1 KB that would expand to about 10 GB."""
    bomb = '@string{s0 = "xxxxxxxxxx"}\n' + "".join(f"@string{{s{i} = s{i - 1} # s{i - 1}}}\n" for i in range(1, 40))
    root = make_project({"bibliography/refs.bib": BIB + bomb + "@misc{bomb2020, title = s39, year = 2020}\n",
                         "bibliography/claims/c.yaml": CLAIMS})  # fmt: skip
    code, output = _cli(root, "build")
    assert code == 1
    assert "entry 'bomb2020', field 'title'" in output and "expands to more than 1,000,000 characters" in output


def test_a_file_over_the_size_limit_is_refused(make_project: MakeProject) -> None:
    root = make_project(FILES)
    (root / "litgraph.toml").write_text("[limits]\ninput_bytes = 200\n", encoding="utf-8")
    (root / "bibliography" / "big.bib").write_text(BIB.replace("borg2017", "big2017") * 1 + "%" * 500, encoding="utf-8")
    code, output = _cli(root, "build")
    assert code == 1 and "bibliography/big.bib: error:" in output and "input_bytes" in output


@pytest.mark.parametrize(
    ("key", "message"),
    [
        pytest.param(
            "ø" * 64 + "2020", "is too long: escaped for a file name it would exceed 255 bytes", id="64-o-slash"
        ),
        pytest.param("../../etc/x", "holds a path separator", id="traversal"),
        pytest.param("a/b", "holds a path separator", id="slash"),
    ],
)
def test_a_key_no_file_name_can_carry_is_refused_by_validate_and_build(
    make_project: MakeProject, key: str, message: str
) -> None:
    root = make_project({"bibliography/refs.bib": BIB + f"@misc{{{key}, title = {{X}}, year = 2020}}\n",
                         "bibliography/claims/c.yaml": CLAIMS})  # fmt: skip
    for command in ("validate", "build"):
        code, output = _cli(root, command)
        assert code == 1 and "bibliography/refs.bib:2: error: the key" in output and message in output


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        pytest.param('[project]\nbase_iri = "https://example.org/my project/"\n', "base_iri", id="space-in-base-iri"),
        pytest.param('[project]\nbase_iri = "https://example.org/a\\"b/"\n', "base_iri", id="quote-in-base-iri"),
        pytest.param('[project]\nbase_iri = "https://example.org/<x>/"\n', "base_iri", id="angle-in-base-iri"),
        pytest.param('project = "x"\n', "[project]", id="project-not-a-table"),
        pytest.param("[project\n", "litgraph.toml", id="broken-toml"),
        pytest.param("[limits]\nquery_seconds = -1\n", "query_seconds", id="negative-limit"),
    ],
)
def test_unusable_settings_are_a_message_naming_the_setting(
    make_project: MakeProject, settings: str, message: str
) -> None:
    root = make_project(FILES)
    (root / "litgraph.toml").write_text(settings, encoding="utf-8")
    code, output = _cli(root, "build")
    assert code == 1 and "litgraph.toml" in output and message in output


def test_a_folder_in_place_of_the_settings_file_is_a_message(make_project: MakeProject) -> None:
    root = make_project(FILES)
    (root / "litgraph.toml").unlink()
    (root / "litgraph.toml").mkdir()
    code, output = _cli(root, "build")
    assert code == 1 and "litgraph.toml" in output and "folder" in output


def test_a_broken_shapes_file_is_named(make_project: MakeProject) -> None:
    root = make_project(FILES)
    (root / "ontology" / "shapes.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\nthis is not turtle\n", encoding="utf-8"
    )
    code, output = _cli(root, "build")
    assert code == 1 and "ontology/shapes.ttl" in output


def test_a_damaged_store_is_built_again(make_project: MakeProject) -> None:
    root = make_project(FILES)
    assert _cli(root, "build")[0] == 0
    for path in (root / ".litgraph" / "store").iterdir():
        if path.is_file():
            path.write_bytes(b"\0garbage" * 100)
    code, output = _cli(root, "sources", "recovery-orientation", "-f", "json")
    assert code == 0, output
    assert "borg2017" in output
    code, output = _cli(root, "build")
    assert code == 0, output


def test_a_project_that_cannot_be_written_is_a_message(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only or full disk (simulated: the tests run as root, whom permissions do not stop)."""
    import errno

    from litgraph.plumbing import files

    root = make_project(FILES)

    def read_only(path: Path) -> Path:
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(files, "make_folder", read_only)
    monkeypatch.setattr("litgraph.pipeline.make_folder", read_only)
    code, output = _invoke("build", "-p", str(root))
    assert code == 1 and "Read-only file system" in output and "Internal error" not in output


def test_init_where_no_folder_can_be_made_is_a_message(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    code, output = _invoke("init", str(tmp_path / "file" / "project"))
    assert code == 1 and "Internal error" not in output and str(tmp_path / "file") in output


def test_a_site_folder_that_is_a_link_is_replaced_and_its_target_kept(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """site/ linked to a web root: the build writes a site/ of its own; the web root keeps every file."""
    root = make_project(FILES)
    web = tmp_path / "www"
    web.mkdir()
    (web / "index.html").write_text("the web root's own page", encoding="utf-8")
    (web / "private").mkdir()
    (web / "private" / "notes.txt").write_text("unrelated", encoding="utf-8")
    (root / "site").symlink_to(web)
    code, output = _cli(root, "build")
    assert code == 0, output
    assert f"site/ was a link to {web}" in output
    assert not (root / "site").is_symlink() and (root / "site" / "works" / "borg2017.html").is_file()
    assert (web / "index.html").read_text(encoding="utf-8") == "the web root's own page"
    assert (web / "private" / "notes.txt").read_text(encoding="utf-8") == "unrelated"
    assert sorted(p.name for p in web.rglob("*")) == ["index.html", "notes.txt", "private"]
