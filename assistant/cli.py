"""`policy-assistant`: ingest, search, ask, compare, serve, eval. A thin edge over the service."""

from __future__ import annotations

import json
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
    binding: Annotated[bool, typer.Option(help="The added document is legally binding.")] = False,
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
    if json_out:
        from index.pipeline import report_rows

        print(json.dumps({"collection": report.collection, "embedded": report.embedded, "seconds": round(report.seconds, 2),
                          "documents": report_rows(report)}, indent=1))
    else:
        _print_report(report)
    if add and any(d.document_id == src.document_id and d.status == "failed" for d in report.documents):
        raise typer.Exit(1)


def _print_report(report) -> None:
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
        err.print(f"[yellow]skipped[/yellow] {d.error}")


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


def main() -> None:  # pragma: no cover
    app(sys.argv[1:])


if __name__ == "__main__":  # pragma: no cover
    main()
