"""Background jobs of the prevention plan: Word and Excel exports, Excel import of values.

Each function runs inside the job's tenant scope (the core enters it) and
receives the :class:`core.api.JobContext` plus the keyword arguments given to
``enqueue``. They never commit: the runner commits their writes together with
the job's success and records the export in the audit log.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from core.toolkit import JobContext
from plugins.prevention_plan import exports, services


def _files_root() -> Path:
    return Path(current_app.config["VATRA_FILES"])


def import_limits() -> exports.ImportLimits:
    """The import's caps, with the application's ``PLAN_IMPORT_*`` settings."""
    return exports.ImportLimits.from_config(current_app.config)


def _basename(plan: services.Plan) -> str:
    return f"plan-prevenire-{plan.year}-r{plan.revision}"


def export_docx(ctx: JobContext, plan_id: int) -> dict[str, object]:
    """Write the plan as a Word document and save it as the job's result."""
    ctx.progress(10, "Se citește planul")
    plan = services.get_plan(plan_id, tree=True)
    ctx.progress(40, "Se scrie documentul Word")
    data = exports.plan_docx(plan)
    name = f"{_basename(plan)}.docx"
    ctx.save_file(name, data, exports.DOCX_MIME)
    ctx.progress(100, "Documentul Word este gata")
    return {"file": name, "size": len(data)}


def export_xlsx(ctx: JobContext, plan_id: int) -> dict[str, object]:
    """Write the plan's indicators and values as an Excel workbook and save it as the job's result."""
    ctx.progress(10, "Se citesc indicatorii")
    plan = services.get_plan(plan_id, tree=True)
    data = exports.values_xlsx(plan)
    name = f"{_basename(plan)}-indicatori.xlsx"
    ctx.save_file(name, data, exports.XLSX_MIME)
    ctx.progress(100, "Registrul Excel este gata")
    return {"file": name, "size": len(data)}


def import_xlsx(
    ctx: JobContext, plan_id: int, upload: str, user_id: int | None = None, locale: str = "ro"
) -> dict[str, object]:
    """Import the values of an uploaded workbook (``upload`` is relative to VATRA_FILES).

    The file is checked here as well (a large one was not checked by the
    request). A rejected file writes nothing: the job ends with the count of
    errors in its message and the per-row errors (at most the cap of them)
    saved as its result file.

    ``locale`` is the uploader's language, kept on the job: text cells are read as they type numbers.
    """
    ctx.progress(5, "Se citește fișierul")
    plan = services.get_plan(plan_id, tree=True)
    root = _files_root().resolve()
    path = (root / upload).resolve()
    if root not in path.parents or not path.is_file():
        raise FileNotFoundError(f"the uploaded workbook {upload!r} is missing")
    try:
        summary = exports.import_values_xlsx(
            plan, path.read_bytes(), user_id=user_id or ctx.user_id, limits=import_limits(),
            locale=locale
        )
    except exports.ImportRejectedError as exc:
        report = exports.rejection_report(exc)
        ctx.save_file(f"{_basename(plan)}-erori-import.txt", report.encode("utf-8"), "text/plain; charset=utf-8")
        ctx.progress(100, f"Import respins: {exc.total} erori; nu s-a înregistrat nicio valoare.")
        return {"rejected": True, "error_count": exc.total, "errors": exc.errors}
    ctx.progress(100, f"Import încheiat: {summary.written} valori noi, {summary.unchanged} neschimbate.")
    return {"rejected": False, "rows": summary.rows, "written": summary.written, "unchanged": summary.unchanged}
