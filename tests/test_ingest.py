"""Ingestion behaviour on a small real sub-corpus (hash embedder: fast, deterministic)."""

from __future__ import annotations

import shutil
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from index import pipeline
from index.pipeline import IngestConfig, ingest
from index.retrieve import PassageIndex
from index.sources import load_manifest
from index.store import ChromaLocation, ChromaStore, IndexState
from index.embed import get_embedder

pytestmark = pytest.mark.corpus
SMALL = ["g7-hiroshima-code-of-conduct-2023", "sg-mas-feat-principles-2018", "oecd-ai-recommendation-legal-0449"]


@pytest.fixture()
def mirror(corpus, tmp_path) -> Path:
    """A private copy of three small documents, so tests can damage files freely."""
    folder = tmp_path / "mirror"
    for src in load_manifest():
        if src.document_id in SMALL:
            target = folder / src.file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(corpus / src.file, target)
    return folder


@pytest.fixture()
def sources():
    return [s for s in load_manifest() if s.document_id in SMALL]


def _cfg(tmp_path: Path, mirror: Path, settings_hash: str = "test") -> IngestConfig:
    return IngestConfig(data_dir=tmp_path / "data", mirrors=(mirror,), chroma=ChromaLocation(path=tmp_path / "data" / "chroma"),
                        settings_hash=settings_hash, embedding_model="hash", allow_download=False, workers=1)


def _ids(cfg: IngestConfig) -> list[str]:
    client = cfg.chroma.client()
    state = IndexState(client).read()
    return sorted(p.passage_id for p in ChromaStore(client, state["collection"]).all_passages())


def test_build_then_unchanged_reingest_does_no_work(tmp_path, mirror, sources):
    cfg = _cfg(tmp_path, mirror)
    first = ingest(sources, cfg, progress=False)
    assert {d.status for d in first.documents} == {"indexed"} and first.embedded > 30
    again = ingest(sources, cfg, progress=False)
    assert again.embedded == 0 and not again.changed
    assert {d.status for d in again.documents} == {"unchanged"}
    assert again.collection == first.collection


def test_ids_are_identical_across_two_builds(tmp_path, mirror, sources):
    a = _cfg(tmp_path / "a", mirror)
    b = _cfg(tmp_path / "b", mirror)
    ingest(sources, a, progress=False)
    ingest(sources, b, progress=False)
    assert _ids(a) == _ids(b)
    assert "g7-hiroshima-code-of-conduct-2023#action-11" in _ids(a)


def test_changed_file_replaces_exactly_its_own_passages(tmp_path, mirror, sources):
    cfg = _cfg(tmp_path, mirror)
    ingest(sources, cfg, progress=False)
    before = _ids(cfg)
    # A new version of the G7 code: same structure, different sha256 (the manifest has no checksum for it here).
    changed = [replace(s, sha256=None) if s.document_id == SMALL[0] else s for s in sources]
    g7 = mirror / changed[[s.document_id for s in changed].index(SMALL[0])].file
    g7.write_bytes(g7.read_bytes() + b"\n% appended comment\n")
    report = ingest(changed, cfg, progress=False)
    statuses = {d.document_id: d.status for d in report.documents}
    assert statuses == {SMALL[0]: "indexed", SMALL[1]: "unchanged", SMALL[2]: "unchanged"}
    assert report.added == sum(1 for pid in before if pid.startswith(SMALL[0] + "#"))
    assert report.embedded == 0  # same text as before: vectors come from the embedding cache
    assert _ids(cfg) == before


@pytest.mark.parametrize("damage, message", [
    (lambda p: p.write_bytes(b"%PDF-1.7\n garbage that is no PDF at all"), "cannot be parsed"),
    (lambda p: p.write_bytes(b""), ""),
    (lambda p: p.write_bytes(p.read_bytes()[:2000]), ""),  # truncated download
])
def test_corrupt_document_is_reported_and_skipped(tmp_path, mirror, sources, damage, message):
    victim = next(s for s in sources if s.document_id == SMALL[1])
    damage(mirror / victim.file)
    unchecked = [replace(s, sha256=None) for s in sources]  # reach the parser, not only the checksum
    report = ingest(unchecked, _cfg(tmp_path, mirror), progress=False)
    statuses = {d.document_id: d.status for d in report.documents}
    assert statuses[SMALL[1]] == "failed" and SMALL[1] in report.failed[0].error
    assert message in report.failed[0].error
    assert statuses[SMALL[0]] == statuses[SMALL[2]] == "indexed"


def test_wrong_checksum_and_missing_file_are_reported_and_skipped(tmp_path, mirror, sources):
    bad = [replace(s, sha256="0" * 64) if s.document_id == SMALL[0] else s for s in sources]
    (mirror / next(s for s in sources if s.document_id == SMALL[2]).file).unlink()
    report = ingest(bad, _cfg(tmp_path, mirror), progress=False)
    errors = {d.document_id: d.error for d in report.failed}
    assert "checksum mismatch" in errors[SMALL[0]]
    assert "not found" in errors[SMALL[2]]
    assert [d.status for d in report.documents if d.document_id == SMALL[1]] == ["indexed"]


def test_html_page_without_text_is_reported(tmp_path, mirror, sources):
    from index.sources import user_source

    page = tmp_path / "empty.html"
    page.write_text("<html><head><script>var x=1;</script></head><body><nav>Menu</nav></body></html>")
    report = ingest(sources + [user_source(str(page), "Empty page", "XX", False)], _cfg(tmp_path, mirror), progress=False)
    failed = {d.document_id: d.error for d in report.failed}
    assert "no extractable text" in failed["empty"]
    assert sum(d.status == "indexed" for d in report.documents) == 3


def test_interrupted_build_leaves_the_previous_index_usable(tmp_path, mirror, sources, monkeypatch):
    cfg = _cfg(tmp_path, mirror)
    ingest(sources[:2], cfg, progress=False)
    live = IndexState(cfg.chroma.client()).read()["collection"]

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("power cut while embedding")

    monkeypatch.setattr(pipeline, "_embed_new", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest(sources, cfg, progress=False)
    client = cfg.chroma.client()
    assert IndexState(client).read()["collection"] == live
    names = {c if isinstance(c, str) else c.name for c in client.list_collections()}
    assert not any(n.startswith("passages-") and n != live for n in names)  # the half-built one is gone
    index = PassageIndex.load(cfg.chroma, cfg.data_dir, sources, get_embedder("hash"))
    assert index.dense(get_embedder("hash").embed(["fairness"])[0], 3)


def test_settings_change_never_reuses_a_stale_index(tmp_path, mirror, sources):
    first = ingest(sources, _cfg(tmp_path, mirror, "aaa"), progress=False)
    second = ingest(sources, _cfg(tmp_path, mirror, "bbb"), progress=False)
    assert second.added == first.added and second.collection != first.collection
    assert "bbb" in second.collection


def test_dropped_generations_leave_no_segment_folders(tmp_path, mirror, sources):
    """Chroma keeps a deleted collection's vector folder on disk; a build removes the ones no segment names."""
    cfg = _cfg(tmp_path, mirror)
    ingest(sources, cfg, progress=False)
    folders = lambda: {p.name for p in cfg.chroma.path.iterdir() if p.is_dir() and _is_uuid(p.name)}  # noqa: E731
    assert len(folders()) == 2  # the state record's and the generation's
    for n in range(3):  # three new generations: the first two are dropped along the way
        ingest([replace(s, sha256=None) for s in sources], replace(cfg, settings_hash=f"test{n}"), progress=False)
    # the state record's, the live generation's and the one before it (readers may still use it)
    assert len(folders()) == 3, "dropped generations' vector folders are still on disk"
    assert len(_ids(cfg)) > 30  # the live index still answers


def _is_uuid(name: str) -> bool:
    try:
        uuid.UUID(name)
        return True
    except ValueError:
        return False


def test_ingest_shows_progress_while_it_embeds_the_annotation_questions(tmp_path, mirror, sources, capsys):
    # A fresh build embeds thousands of annotation questions after the passages: that wait shows a bar too.
    ingest(sources, _cfg(tmp_path, mirror), progress=True)
    first = capsys.readouterr().err
    assert "embed:" in first and "annotation questions:" in first
    again_cfg = replace(_cfg(tmp_path, mirror), settings_hash="other")  # new generation, questions already cached
    ingest(sources, again_cfg, progress=True)
    assert "annotation questions:" not in capsys.readouterr().err
