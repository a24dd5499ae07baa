"""Background jobs of the PIN-project plugin: the funder's reports.

Each job runs inside its tenant's scope (see ``vatra_jobs`` in
:mod:`core.hookspecs`), reads the project, builds the file with
:mod:`plugins.pin_project.exports` and saves it as the job's result.
"""

from __future__ import annotations

from core.toolkit import N_, JobContext, JobSpec, PermanentJobError
from plugins.pin_project import exports, services
from plugins.pin_project.models import Project

PROGRESS_DOCX = "pin_project.progress_docx"
FINANCIAL_XLSX = "pin_project.financial_xlsx"


def _project(project_id: int) -> Project:
    project = services.get_project(project_id)
    if project is None:
        raise PermanentJobError(f"project {project_id} does not exist in this tenant")
    return project


def _slug(project: Project, start: str, end: str) -> str:
    return f"proiect-{project.id}_{start}_{end}"


def progress_docx(ctx: JobContext, project_id: int, start: str, end: str) -> None:
    """Write the progress report (Word) of a project for ``[start, end]`` (ISO dates)."""
    ctx.progress(5, "Se citește proiectul")
    project = _project(project_id)
    first, last = services.parse_range(start, end)
    report = services.progress_report(project, first, last)
    ctx.progress(60, "Se scrie documentul")
    data = exports.progress_docx(report)
    ctx.save_file(f"raport-progres_{_slug(project, start, end)}.docx", data, exports.DOCX_MIMETYPE)
    ctx.progress(100, "Gata")


def financial_xlsx(ctx: JobContext, project_id: int, start: str, end: str) -> None:
    """Write the financial report (Excel) of a project for ``[start, end]`` (ISO dates)."""
    ctx.progress(5, "Se citește bugetul")
    project = _project(project_id)
    first, last = services.parse_range(start, end)
    report = services.financial_report(project, first, last)
    ctx.progress(60, "Se scrie registrul de calcul")
    data = exports.financial_xlsx(report)
    ctx.save_file(f"raport-financiar_{_slug(project, start, end)}.xlsx", data, exports.XLSX_MIMETYPE)
    ctx.progress(100, "Gata")


JOB_SPECS = [
    JobSpec(PROGRESS_DOCX, progress_docx, queue="exports", label=N_("Raport de progres (Word)"),
            file_permission="pin.view"),
    JobSpec(FINANCIAL_XLSX, financial_xlsx, queue="exports", label=N_("Raport financiar (Excel)"),
            file_permission="pin.view"),
]
REPORT_KINDS = {"progress_docx": PROGRESS_DOCX, "financial_xlsx": FINANCIAL_XLSX}
