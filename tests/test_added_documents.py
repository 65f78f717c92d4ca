"""Documents users add: allowed folders only, a size limit, a content-based type allow-list, a
failed add not kept (nor rebuilt every time), `documents list|remove`, and POLICY_CORPUS_DIR as
one path or a list. Through the CLI where an operator would use it; hash embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.library import add_user_source, settle_add, sniff_format
from assistant.settings import Settings
from index.errors import SourceError
from index.pipeline import DocReport, IngestReport

POLICY = "# Widget AI Policy\n\n## Section 1 Transparency\n\nOperators of chatbots must tell users that they are talking to an AI system.\n"
PDF_HEAD = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


@pytest.fixture()
def env(tmp_path, monkeypatch):
    """An operator's environment: no manifest files (an empty mirror), one inbox folder allowed."""
    (tmp_path / "empty-mirror").mkdir()
    (tmp_path / "inbox").mkdir()
    monkeypatch.setenv("POLICY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("POLICY_CORPUS_DIR", str(tmp_path / "empty-mirror"))  # a single path, as the README says
    monkeypatch.setenv("POLICY_ALLOW_DOWNLOAD", "false")
    monkeypatch.setenv("POLICY_INGEST__EMBEDDING_MODEL", "hash")
    monkeypatch.setenv("POLICY_UPLOADS__ALLOWED_DIRS", json.dumps([str(tmp_path / "inbox")]))
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def registry(env: Path) -> list[str]:
    path = env / "data" / "user_sources.json"
    return [e["document_id"] for e in json.loads(path.read_text())] if path.exists() else []


def test_corpus_dir_setting_accepts_one_path_or_a_list(monkeypatch, tmp_path):
    monkeypatch.setenv("POLICY_CORPUS_DIR", str(tmp_path))
    assert Settings().corpus_dirs == [tmp_path]
    monkeypatch.setenv("POLICY_CORPUS_DIR", json.dumps([str(tmp_path), "/srv/mirror"]))
    assert Settings().corpus_dirs == [tmp_path, Path("/srv/mirror")]
    monkeypatch.setenv("POLICY_CORPUS_DIR", f"{tmp_path}:/srv/mirror")
    assert Settings().corpus_dirs == [tmp_path, Path("/srv/mirror")]


def test_files_outside_the_allowed_folders_are_refused(env):
    result = run("ingest", "--add", "/etc/passwd")
    assert result.exit_code == 1 and "outside the folders" in result.output
    link = env / "inbox" / "escape.txt"
    link.symlink_to("/etc/passwd")  # a link inside the inbox to a file outside it
    result = run("ingest", "--add", str(link))
    assert result.exit_code == 1 and "outside the folders" in result.output
    assert registry(env) == [] and not list((env / "data").glob("user_files/*.*"))


@pytest.mark.parametrize("name, content, expected", [
    ("notes", POLICY.encode(), "txt"),  # no extension: read by content, plain text
    ("page.txt", b"<!DOCTYPE html><html><body><p>Hello there, reader of pages.</p></body></html>", "html"),
    ("report.html", PDF_HEAD, "pdf"),
    ("guide.md", POLICY.encode(), "md"),
    ("program.pdf", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4, None),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), None),
    ("latin1.txt", "Caf\xe9 cr\xe8me policy text".encode("latin-1"), None),
])
def test_type_is_read_from_the_content_not_the_extension(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    assert sniff_format(path, path.suffix) == expected


def test_binary_and_oversized_files_are_refused(env, monkeypatch):
    (env / "inbox" / "tool.pdf").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(4096))
    result = run("ingest", "--add", str(env / "inbox" / "tool.pdf"))
    assert result.exit_code == 1 and "unsupported content" in result.output
    monkeypatch.setenv("POLICY_UPLOADS__MAX_MB", "0.0001")  # 100 bytes
    (env / "inbox" / "long.md").write_text(POLICY * 3)
    result = run("ingest", "--add", str(env / "inbox" / "long.md"))
    assert result.exit_code == 1 and "limit is 0.0001 MB" in result.output
    assert registry(env) == []


def test_a_failed_add_is_not_kept_and_costs_no_rebuild(env):
    empty = env / "inbox" / "empty-page.html"
    empty.write_text("<html><head><script>var x = 1;</script></head><body><nav>Menu</nav></body></html>")
    result = run("ingest", "--add", str(empty), "--json")
    assert result.exit_code == 1 and "was not added" in result.output
    assert registry(env) == [] and not (env / "data" / "user_files" / "empty-page.html").exists()
    (env / "inbox" / "widget-policy.md").write_text(POLICY)
    assert run("ingest", "--add", str(env / "inbox" / "widget-policy.md")).exit_code == 0
    again = run("ingest", "--json")
    report = json.loads(again.stdout)
    assert again.exit_code == 0 and report["embedded"] == 0
    listed = json.loads(run("documents", "list", "--json").stdout)
    assert [d["id"] for d in listed if d["indexed"]] == ["widget-policy"]
    later = json.loads(run("ingest", "--json").stdout)
    # nothing changed: no new generation, although every manifest file is missing here
    assert later["collection"] == report["collection"]


def test_a_failed_new_version_brings_back_the_last_good_one(env):
    settings = Settings()
    page = env / "inbox" / "widget-policy.md"
    page.write_text(POLICY)
    add_user_source(settings, str(page), "Widget AI Policy", "XX")
    settle_add(settings, "widget-policy", IngestReport([DocReport("widget-policy", "indexed")]))
    page.write_text("short")  # the new version fails to index
    add_user_source(settings, str(page), "Widget AI Policy v2", "XX")
    why = settle_add(settings, "widget-policy", IngestReport([DocReport("widget-policy", "kept", error="no text")]))
    assert why == "no text"
    entry = json.loads((env / "data" / "user_sources.json").read_text())[0]
    assert entry["title"] == "Widget AI Policy"
    assert (env / "data" / "user_files" / "widget-policy.md").read_text() == POLICY


def test_documents_list_and_remove(env):
    (env / "inbox" / "widget-policy.md").write_text(POLICY)
    assert run("ingest", "--add", str(env / "inbox" / "widget-policy.md"), "--binding").exit_code == 0
    listed = {d["id"]: d for d in json.loads(run("documents", "list", "--json").stdout)}
    widget = listed["widget-policy"]
    assert widget["provenance"] == "user" and widget["binding"] is False and widget["binding_requested"] is True
    assert widget["indexed"] and widget["passages"] >= 1
    assert listed["eu-ai-act-2024-1689"]["provenance"] == "official"
    refused = run("documents", "remove", "eu-ai-act-2024-1689")
    assert refused.exit_code == 1 and "manifest" in refused.output
    assert run("documents", "remove", "no-such-doc").exit_code == 1
    removed = run("documents", "remove", "widget-policy")
    assert removed.exit_code == 0, removed.output
    listed = {d["id"]: d for d in json.loads(run("documents", "list", "--json").stdout)}
    assert "widget-policy" not in listed and registry(env) == []
    assert not (env / "data" / "user_files" / "widget-policy.md").exists()


def test_add_through_the_library_refuses_manifest_ids_before_copying(env):
    page = env / "inbox" / "eu-ai-act-2024-1689.md"
    page.write_text(POLICY)
    with pytest.raises(SourceError, match="manifest"):
        add_user_source(Settings(), str(page), None, "XX")
    assert not list((env / "data").glob("user_files/*"))
