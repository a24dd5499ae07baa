"""The plan's values workbook keeps a formula-like label as text."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from core.db import db
from plugins.prevention_plan import exports


def test_labels_like_formulas_stay_text_in_the_values_workbook(town):
    with town.scope():
        plan = town.plan()
        objective = plan.objectives[0]
        activity = objective.activities[0]
        indicator = activity.indicators[0]
        objective.title, activity.text, indicator.label, indicator.unit = "=1+1", "=1+1", '=HYPERLINK("x")', "@SUM(A1)"
        data = exports.values_xlsx(plan)
        indicator_id, number = indicator.id, objective.number
        db.session.rollback()

    row = next(r for r in load_workbook(io.BytesIO(data))[exports.SHEET].iter_rows(min_row=2)
               if r[0].value == indicator_id)
    cells = dict(zip(exports.COLUMNS, row, strict=True))
    assert (cells["Obiectiv"].data_type, cells["Obiectiv"].value) == ("s", f"{number}. =1+1")
    for column, text in (("Activitate", "=1+1"), ("Indicator", '=HYPERLINK("x")'), ("Unitate", "@SUM(A1)")):
        assert (cells[column].data_type, cells[column].value) == ("s", text)
    assert cells["ID indicator"].data_type == "n"
