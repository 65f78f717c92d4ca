"""`policy-assistant`: ingest, search, ask, compare, serve, eval. A thin edge over the service."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from .settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="ASEAN AI-governance policy assistant.")
console = Console()
err = Console(stderr=True)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


@app.command()
def ingest(
    add: Annotated[Optional[str], typer.Option("--add", help="Add a document (path or URL) and index it.")] = None,
    title: Annotated[Optional[str], typer.Option(help="Title of the added document.")] = None,
    jurisdiction: Annotated[str, typer.Option(help="Jurisdiction of the added document (e.g. MY, TH).")] = "",
    binding: Annotated[bool, typer.Option(help="Ask for the added document to count as binding law (an operator confirms "
                                             "with `documents confirm-binding ID`).")] = False,
    force: Annotated[bool, typer.Option(help="Rebuild every document, even unchanged ones.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Build or update the index from the source manifest (and documents users added)."""
    from index.errors import SourceError

    from .service import Assistant

    assistant = Assistant(Settings())
    if add:
        try:
            src = assistant.add_document(add, title=title, jurisdiction=jurisdiction, binding=binding)
        except (SourceError, OSError) as exc:
            _fail(str(exc))
        err.print(f"added {src.document_id}")
    report = assistant.ingest(progress=not json_out, force=force)
    undone = None
    if add:  # a failed add is not kept: the previous version (or nothing) is registered again
        from .library import settle_add

        undone = settle_add(assistant.settings, src.document_id, report)
        if binding and not undone:
            err.print(f"binding requested for {src.document_id}: it counts as binding only after an operator runs "
                      f"`policy-assistant documents confirm-binding {src.document_id}`")
    if json_out:
        from index.pipeline import report_rows

        print(json.dumps({"collection": report.collection, "embedded": report.embedded, "seconds": round(report.seconds, 2),
                          "documents": report_rows(report)}, indent=1))
    else:
        _print_report(report)
    if undone:
        _fail(f"{src.document_id} was not added ({undone}); nothing of it is kept")


def _print_report(report) -> None:
    from rich.markup import escape

    table = Table(title=f"Index {report.collection} — {report.seconds:.1f} s, {report.embedded} passages embedded")
    for col in ("document", "status", "pages", "passages", "seconds"):
        table.add_column(col, justify="left" if col in ("document", "status") else "right")
    for d in report.documents:
        status = f"[red]{d.status}[/red]" if d.error else d.status
        table.add_row(d.document_id, status, str(d.pages or ""), str(d.passages or ""), f"{d.seconds:.1f}" if d.seconds else "")
    table.add_row("[b]total[/b]", "", str(sum(d.pages for d in report.documents)),
                  str(sum(d.passages for d in report.documents)), f"{report.seconds:.1f}")
    console.print(table)
    for d in report.failed:
        verb = "kept the last good version of" if d.status == "kept" else "skipped"
        err.print(f"[yellow]{verb}[/yellow] {d.document_id}: {escape(d.error)}", highlight=False)
    for d in report.documents:
        for sentence in d.hostile:  # reported, never quoted: such text is data, not instructions
            err.print(f"[yellow]addresses the reader as a model (never quoted)[/yellow] {d.document_id}: "
                      f"{escape(sentence)}", highlight=False)


documents_app = typer.Typer(no_args_is_help=True, help="List and remove documents (operators).")
app.add_typer(documents_app, name="documents")


@documents_app.command("list")
def documents_list(json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Every document: id, provenance (official manifest or added by a user), binding, passages indexed."""
    from index.provenance import provenance
    from index.store import IndexState

    from .library import all_sources, ingest_config, user_entries

    settings = Settings()
    try:
        state = IndexState(ingest_config(settings).chroma.client()).read() or {}
    except Exception as exc:  # noqa: BLE001 - an unreachable store still lets the operator see the registry
        err.print(f"[yellow]warning:[/yellow] the index could not be read ({type(exc).__name__})")
        state = {}
    requested = {e["document_id"]: e for e in user_entries(settings)}
    rows = []
    for src in all_sources(settings):
        doc = state.get("documents", {}).get(src.document_id)
        entry = requested.get(src.document_id, {})
        rows.append({"id": src.document_id, "provenance": provenance(src), "title": src.title,
                     "binding": src.binding, "binding_requested": bool(entry.get("binding_requested", False)),
                     "indexed": doc is not None, "passages": len(doc["passages"]) if doc else 0,
                     "addresses_model": len(doc.get("hostile", [])) if doc else 0})
    if json_out:
        print(json.dumps(rows, indent=1, ensure_ascii=False))
        return
    table = Table(title=f"{len(rows)} documents")
    for col in ("id", "provenance", "binding", "passages", "title"):
        table.add_column(col)
    for r in rows:
        binding = "yes" if r["binding"] else ("requested" if r["binding_requested"] else "no")
        table.add_row(r["id"], r["provenance"], binding, str(r["passages"]) if r["indexed"] else "not indexed",
                      r["title"][:70])
    console.print(table)


@documents_app.command("remove")
def documents_remove(
    document_id: Annotated[str, typer.Argument(help="Id of a document a user added.")],
    reindex: Annotated[bool, typer.Option(help="Rebuild the index without it now.")] = True,
) -> None:
    """Remove a document a user added (registry entry and file), then rebuild the index without it."""
    from index.errors import SourceError

    from .library import remove_user_source
    from .service import Assistant

    settings = Settings()
    try:
        remove_user_source(settings, document_id)
    except SourceError as exc:
        _fail(str(exc))
    err.print(f"removed {document_id}")
    if reindex:
        report = Assistant(settings).ingest(progress=False)
        err.print(f"index {report.collection} no longer holds {document_id}")


@documents_app.command("confirm-binding")
def documents_confirm_binding(
    document_id: Annotated[str, typer.Argument(help="Id of a document a user added.")],
    undo: Annotated[bool, typer.Option("--undo", help="Mark it as not binding again.")] = False,
) -> None:
    """Operator's confirmation that a user's document is binding law (it stays labelled unofficial)."""
    from index.errors import SourceError

    from .library import confirm_binding
    from .service import Assistant

    settings = Settings()
    try:
        confirm_binding(settings, document_id, binding=not undo)
    except SourceError as exc:
        _fail(str(exc))
    Assistant(settings).ingest(progress=False)
    err.print(f"{document_id} is {'not ' if undo else ''}binding (confirmed by the operator)")


@app.command()
def search(
    query: str,
    k: Annotated[int, typer.Option("--k", help="Number of passages.")] = 5,
    document: Annotated[Optional[list[str]], typer.Option("--document", help="Limit to these document ids.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the passages that best match QUERY."""
    from .errors import AssistantError
    from .service import Assistant

    try:
        hits = Assistant(Settings()).search(query, k=k, documents=document or [])
    except AssistantError as exc:
        _fail(str(exc))
    rows = [{"passage_id": h.passage.passage_id, "document_id": h.passage.document_id, "locator": h.passage.locator,
             "page_start": h.passage.page_start, "page_end": h.passage.page_end, "text": h.passage.text,
             "score": round(h.score, 4)} for h in hits]
    if json_out:
        print(json.dumps(rows, indent=1, ensure_ascii=False))
        return
    for i, r in enumerate(rows, 1):
        pages = f"p. {r['page_start']}" + (f"-{r['page_end']}" if r["page_end"] != r["page_start"] else "") if r["page_start"] else ""
        console.print(f"[b]{i}. {r['document_id']}[/b] — {r['locator']} {pages}  [dim]{r['passage_id']} score {r['score']}[/dim]")
        console.print("   " + " ".join(r["text"].split())[:400])


@app.command()
def ask(
    question: str,
    history: Annotated[Optional[Path], typer.Option("--history", help="JSON file: [{role, content}, …] earlier turns.")] = None,
    document: Annotated[Optional[list[str]], typer.Option("--document", help="Limit to these document ids.")] = None,
    persona: Annotated[str, typer.Option(help="sme (short, plain) or official (fuller).")] = "sme",
    mode: Annotated[Optional[str], typer.Option(help="extractive (default) or llm (needs POLICY_LLM__BASE_URL).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the Answer JSON.")] = False,
) -> None:
    """Answer QUESTION with numbered citations (document, locator, page, quote)."""
    from .errors import AssistantError
    from .service import Assistant

    try:
        turns = json.loads(history.read_text()) if history else []
        answer = Assistant(Settings()).ask(question, history=turns, documents=document or [], persona=persona, mode=mode)
    except (AssistantError, OSError, ValueError, TypeError) as exc:
        _fail(str(exc))
    if json_out:
        print(json.dumps(answer.to_dict(), indent=1, ensure_ascii=False))
        return
    console.print(answer.answer, markup=False)
    for c in answer.citations:
        page = f", p. {c.page}" if c.page else ""
        console.print(f"[{c.n}] {c.document_title[:80]} — {c.locator}{page}\n    “{' '.join(c.quote.split())}”\n    {c.url}",
                      markup=False)
    for note in answer.notes:
        err.print(f"note: {note}", markup=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on (0.0.0.0 for every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (the API is stateless).")] = 1,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Run the API (/v1, docs at /docs) and the chat UI (/) with uvicorn; builds the index if there is none."""
    import uvicorn

    from .api.app import create_app, log_config
    from .api.http_protocol import JSONErrorProtocol  # malformed HTTP gets the API's JSON error body

    if workers > 1:  # each worker builds its own app from the environment's settings
        # uvicorn restarts a worker that has not finished starting within timeout_worker_healthcheck
        # (5 s by default); importing torch, the models and the UI takes longer on 2 busy cores, so
        # with the default every worker was killed and restarted forever.
        from index.embed import QUERY_THREADS_ENV

        os.environ.setdefault(QUERY_THREADS_ENV, str(max(1, (os.cpu_count() or 1) // workers)))
        uvicorn.run("assistant.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level, log_config=log_config(), http=JSONErrorProtocol,
                    timeout_worker_healthcheck=180)
    else:
        uvicorn.run(create_app(Settings()), host=host, port=port, log_level=log_level, log_config=log_config(),
                    http=JSONErrorProtocol)


@app.command("eval")
def eval_(
    suite: Annotated[Path, typer.Argument(help="Suite file (YAML or JSONL), e.g. evals/suites/dev.yaml.")],
    endpoint: Annotated[Optional[str], typer.Option(help="Score a running server (POST {URL}/v1/ask) instead of in-process.")] = None,
    mode: Annotated[Optional[str], typer.Option(help="Composer: extractive or llm (default: the settings').")] = None,
    k: Annotated[int, typer.Option("--k", help="Cut-off of retrieval recall@k.")] = 5,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the run record (JSON) here.")] = None,
    report: Annotated[Optional[Path], typer.Option(help="Write the HTML report here.")] = None,
    compare: Annotated[Optional[Path], typer.Option(help="A previous run record: print what got better or worse (and show it in --report).")] = None,
    fail_under: Annotated[Optional[list[str]], typer.Option("--fail-under", help="METRIC=VALUE minimum; exit 1 if unmet.")] = None,
    thresholds: Annotated[Optional[Path], typer.Option(help="TOML of minimums per suite and mode (evals/thresholds.toml).")] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Cases in flight at once (latency is per case).")] = 1,
    system: Annotated[str, typer.Option(help="assistant, or baseline (the naive LangChain pipeline).")] = "assistant",
    api_key: Annotated[Optional[str], typer.Option(envvar="POLICY_EVAL_API_KEY", help="X-API-Key for --endpoint.")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Run an evaluation suite and score it; exit 1 when a --fail-under or --thresholds minimum is not met."""
    from rich.markup import escape

    from evals import metrics, runner
    from evals import report as reports
    from evals.suite import SuiteError, check_suite_with_index, load_suite

    from .errors import AssistantError

    if system not in ("assistant", "baseline") or mode not in (None, "extractive", "llm"):
        _fail("use --system assistant|baseline and --mode extractive|llm", 2)
    if thresholds and not thresholds.is_file():
        _fail(f"thresholds file {thresholds} not found", 2)
    try:  # read before the run: --json may overwrite the same file
        previous = json.loads(compare.read_text(encoding="utf-8")) if compare else None
    except (OSError, ValueError) as exc:
        _fail(f"cannot read --compare {compare}: {exc}", 2)
    try:
        loaded = load_suite(suite)
        minimums = metrics.parse_fail_under(fail_under or [])
        settings = Settings()
        if endpoint:
            target = runner.HttpSystem(endpoint, api_key)
        elif system == "baseline":
            from evals.baseline import BaselineSystem, NaiveRAG

            target, mode = BaselineSystem(NaiveRAG(settings, progress=progress)), None
        else:
            from .service import Assistant

            assistant = Assistant(settings)
            for warning in check_suite_with_index(loaded, assistant.index):
                err.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False)
            target = runner.InProcessSystem(assistant)
        record = runner.run_suite(loaded, target, runner.SourcePages.from_settings(settings), mode, k,
                                  concurrency, progress)
    except (SuiteError, ValueError, AssistantError) as exc:
        _fail(escape(str(exc)), 2)
    console.print(reports.rich_summary(record))
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(record, indent=1, ensure_ascii=False), encoding="utf-8")
        err.print(f"run record: {json_out}")
    if report:
        err.print(f"report: {reports.write_html(record, report, previous)}")  # with --compare: the comparison too
    if previous is not None:
        console.print(reports.format_comparison(reports.compare_records(previous, record)), markup=False)
    gate = runner.load_thresholds(thresholds, loaded.name, record["mode"]) if thresholds else metrics.Thresholds({}, {})
    if thresholds and not (gate.minimums or gate.maximums):
        section = f"[{loaded.name}.{record['mode']}]"
        err.print(f"[yellow]note:[/yellow] {escape(str(thresholds))} has no {escape(section)} thresholds")
    failures = metrics.check_thresholds(record["aggregates"], metrics.Thresholds({**gate.minimums, **minimums}, gate.maximums))
    for failure in failures:
        err.print(f"[red]threshold not met:[/red] {escape(failure)}")
    if failures:
        raise typer.Exit(1)


@app.command()
def annotate(
    document: Annotated[str, typer.Argument(help="Document id (a document the repository does not annotate, e.g. one a user added).")],
    out: Annotated[Optional[Path], typer.Option(help="Where to write the draft (default: <data dir>/annotations/<id>.toml).")] = None,
) -> None:
    """Draft provision annotations for DOCUMENT with the configured LLM, for review."""
    from .annotate import draft, to_toml
    from .errors import AssistantError
    from .llm import OpenAIChatModel
    from .service import Assistant

    settings = Settings()
    if not settings.llm.base_url:
        _fail("annotate needs an LLM endpoint: set POLICY_LLM__BASE_URL (and __API_KEY, __MODEL)", 2)
    assistant = Assistant(settings)
    try:
        units, skipped = draft(assistant.index, document, OpenAIChatModel(settings.llm), settings.prompts_dir,
                               progress=lambda i, n: err.print(f"\rannotate {i}/{n}", end=""))
    except AssistantError as exc:
        _fail(str(exc), 2)
    err.print("")
    target = out or settings.data_dir / "annotations" / f"{document}.toml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(to_toml(document, units), encoding="utf-8")
    console.print(f"{len(units)} unit(s) drafted, {skipped} skipped (unusable reply): {target}")
    console.print("Review the draft; run `policy-assistant ingest` to use it in retrieval.")


feedback_app = typer.Typer(no_args_is_help=True, help="Feedback users gave in the chat UI (👍, 👎, wrong citation).")
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
def feedback_export(
    out: Annotated[Path, typer.Option(help="Draft suite to write (.yaml, or .jsonl).")] = Path("feedback-drafts.yaml"),
    source: Annotated[Optional[Path], typer.Option("--from", help="Feedback file (default: <data dir>/feedback.jsonl).")] = None,
) -> None:
    """Turn the feedback file into draft eval-suite cases (tagged draft) for evaluators to finish."""
    from evals.suite import SuiteError, load_suite

    from . import feedback

    path = source or feedback.feedback_path(Settings())
    entries = feedback.read(path)
    if not entries:
        err.print(f"no feedback in {path} yet: nothing to export")
        return
    drafts = feedback.draft_cases(entries)
    feedback.write_drafts(drafts, out)
    try:
        suite = load_suite(out)
    except SuiteError as exc:  # a bug: the drafts must always be a loadable suite
        _fail(f"the drafts written to {out} are not a valid suite: {exc}")
    counts = {r: sum(1 for c, _ in drafts if c["id"].startswith(f"feedback-{r.replace('_', '-')}-"))
              for r in feedback.RATINGS}
    summary = ", ".join(f"{n} {feedback.RATINGS[r]}" for r, n in counts.items() if n)
    err.print(f"{len(suite.cases)} draft case(s) from {len(entries)} feedback line(s) ({summary}): {out}")


def main() -> None:  # pragma: no cover
    app(sys.argv[1:])


if __name__ == "__main__":  # pragma: no cover
    main()
