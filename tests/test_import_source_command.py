"""manage.py import_source: the importer from the command line."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sources.models import Source, SourceFormat, SourceKind

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("import_source", *args, stdout=out)
    return out.getvalue()


def test_imports_a_file_with_its_metadata(tmp_path):
    path = tmp_path / "coalitions.md"
    path.write_text("# Coalitions of the willing\n\nThey act *quickly*.\n", encoding="utf-8")
    output = run(
        str(path),
        "--authors",
        "Ana Lima; Bo Chen",
        "--container-title",
        "The Journal",
        "--publisher",
        "The Press",
        "--place",
        "Oslo",
        "--published",
        "2024-02-06",
        "--kind",
        SourceKind.ARTICLE,
        "--url",
        "https://example.org/coalitions",
        "--language",
        "nb",
        "--isbn",
        "9781601270078",
        "--doi",
        "10.1000/182",
    )
    source = Source.objects.get()
    assert source.title == "Coalitions of the willing"
    assert source.text == "Coalitions of the willing\n\nThey act quickly."
    assert source.authors == [{"family": "Lima", "given": "Ana"}, {"family": "Chen", "given": "Bo"}]
    assert (source.container_title, source.publisher, source.place) == ("The Journal", "The Press", "Oslo")
    assert (source.published, source.kind, source.language) == ("2024-02-06", SourceKind.ARTICLE, "nb")
    assert (source.url, source.isbn, source.doi) == ("https://example.org/coalitions", "9781601270078", "10.1000/182")
    assert (source.original_name, source.original_format) == ("coalitions.md", SourceFormat.MD)
    assert "“Coalitions of the willing”" in output
    assert "slug:       coalitions-of-the-willing" in output
    assert f"characters: {len(source.text)}" in output
    assert "revision:   1" in output


def test_title_option_overrides_the_documents_own(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"Some notes.")
    run(str(path), "--title", "Field notes")
    assert Source.objects.get().title == "Field notes"


def test_corpus_file_imports_like_the_demo(settings):
    path = settings.BASE_DIR / "corpus" / "coicaud-2007-paradox-of-international-solidarity.txt"
    run(str(path), "--title", "The Paradox of International Solidarity", "--published", "2007-11")
    assert "its focus on fighting terrorism." in Source.objects.get().text


@pytest.mark.parametrize(
    "filename, data, message",
    [
        ("paper.pdf", b"not a pdf", "paper.pdf: This file is named .pdf but is not a PDF."),
        ("setup.exe", b"MZ", "setup.exe: “.exe” files are not supported."),
        ("empty.txt", b"", "empty.txt: This file is empty"),
    ],
)
def test_bad_file_is_a_command_error_and_writes_nothing(tmp_path, filename, data, message):
    path = tmp_path / filename
    path.write_bytes(data)
    with pytest.raises(CommandError, match=message):
        run(str(path))
    assert not Source.objects.exists()


def test_oversized_file_is_a_command_error(tmp_path, settings):
    settings.WARRANT_MAX_UPLOAD_BYTES = 1024 * 1024
    path = tmp_path / "big.txt"
    path.write_bytes(b"word " * 1_000_000)
    with pytest.raises(CommandError, match="over the 1 MB limit"):
        run(str(path))
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    "options, message",
    [
        (["--url", "not a url"], "url: Enter a valid URL."),
        (["--published", "2021-02-30"], "published: Write the date as YYYY, YYYY-MM or YYYY-MM-DD"),
        (["--title", "T" * 501], "title: Ensure this value has at most 500 characters"),
    ],
)
def test_invalid_metadata_is_a_command_error_and_writes_nothing(tmp_path, options, message):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"Some notes.")
    with pytest.raises(CommandError, match=message):
        run(str(path), *options)
    assert not Source.objects.exists()


def test_unknown_kind_is_refused_by_the_argument_parser(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"Some notes.")
    with pytest.raises(CommandError, match="invalid choice"):
        run(str(path), "--kind", "pamphlet")
    assert not Source.objects.exists()


def test_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "nowhere.txt"))


def test_failing_command_exits_with_status_1(tmp_path):
    path = tmp_path / "setup.exe"
    path.write_bytes(b"MZ")
    # manage.py turns a CommandError into this exit status (run_from_argv also closes the test's connection,
    # so the status is read off the exception rather than by running the utility).
    with pytest.raises(CommandError) as caught:
        run(str(path))
    assert caught.value.returncode == 1
