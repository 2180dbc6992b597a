"""Pure rules of the DMS plugin: validation, form parsing, report grouping, charts."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from plugins.dms.charts import progress_chart, timeline_chart, trend_chart
from plugins.dms.forms import parse_rollout, parse_volume
from plugins.dms.schemas import Goal, Indicator, Rollout, RolloutInput, TrendPoint, VolumeInput
from plugins.dms.summary import e_file_groups
from plugins.dms.validation import rollout_errors, share_errors, volume_errors

IDS = {"file_type_id": uuid.uuid4(), "org_unit_id": uuid.uuid4()}
D = dt.date


def fields(errors: list) -> dict[str, str]:  # type: ignore[type-arg]
    return {e.field: e.message for e in errors}


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        (
            dict(status="umgesetzt", introduction_on=D(2024, 5, 1), live_on=D(2024, 1, 15)),
            "live_on",
            "liegt vor",
        ),
        (
            dict(status="in_einfuehrung", planned_on=D(2024, 5, 1), introduction_on=D(2024, 1, 1)),
            "introduction_on",
            "„Planung“",
        ),
        (dict(status="umgesetzt", introduction_on=D(2024, 1, 1)), "live_on", "fehlt das Datum der Umsetzung"),
        (dict(status="in_einfuehrung"), "introduction_on", "fehlt das Datum"),
        (dict(status="fertig"), "status", "Unbekannter Status"),
        (dict(integration="fachverfahren", procedure_name="  "), "procedure_name", "Fachverfahren"),
        (dict(integration="eigenstaendig", inbox="irgendwo"), "inbox", "zentral oder dezentral"),
        (dict(integration="eigenstaendig", users_trained=-1), "users_trained", "negativ"),
    ],
)
def test_rollout_rules(data: dict, field: str, text: str) -> None:  # type: ignore[type-arg]
    base = {"integration": "eigenstaendig", **IDS}
    errors = fields(rollout_errors(RolloutInput(**{**base, **data})))
    assert field in errors and text in errors[field]


def test_valid_rollout_in_order_has_no_errors() -> None:
    data = RolloutInput(
        **IDS,
        status="umgesetzt",
        planned_on=D(2023, 1, 1),
        introduction_on=D(2023, 1, 1),
        live_on=D(2023, 6, 1),
        procedure_name="ProBauG",
    )
    assert rollout_errors(data) == []


def test_volume_rules() -> None:
    errors = fields(
        volume_errors(
            VolumeInput(
                org_unit_id=uuid.uuid4(), reporting_date=D(2024, 3, 31), total_count=100, digital_count=120
            )
        )
    )
    assert "über 100 %" in errors["digital_count"] and "120 %" in errors["digital_count"]
    assert "digital_count" in fields(
        volume_errors(
            VolumeInput(
                org_unit_id=uuid.uuid4(), reporting_date=D(2024, 3, 31), total_count=0, digital_count=1
            )
        )
    )
    assert set(fields(volume_errors(VolumeInput()))) == {
        "org_unit_id",
        "reporting_date",
        "total_count",
        "digital_count",
    }
    assert share_errors(100.0) == [] and share_errors(30) == []
    assert "zwischen 0 und 100" in share_errors(100.5)[0].message


def test_form_parsing_collects_every_problem() -> None:
    data, errors = parse_rollout(
        {
            "file_type_id": "kaputt",
            "introduction_on": "31.02.2024",
            "live_on": "01.03.2024",
            "users_trained": "zwölf",
            "workflow_approval": "on",
            "status": "umgesetzt",
        }
    )
    assert set(fields(errors)) == {"file_type_id", "introduction_on", "users_trained"}
    assert data.live_on == D(2024, 3, 1) and data.workflow_approval and not data.workflow_cosigning
    vdata, verrors = parse_volume(
        {"total_count": "1.200", "digital_count": "300", "reporting_date": "2024-03-31"}
    )
    assert verrors == [] and vdata.total_count == 1200


def _rollout(name: str, unit: str, status: str, integration: str = "fachverfahren", **kw: object) -> Rollout:
    values: dict = dict(  # type: ignore[type-arg]
        id=uuid.uuid4(),
        file_type_id=uuid.uuid4(),
        file_type=name,
        org_unit_id=uuid.uuid4(),
        org_unit=unit,
        product_id=None,
        product="nscale egov" if integration == "eigenstaendig" else None,
        designation=None,
        status=status,
        status_label=status,
        planned_on=None,
        introduction_on=None,
        live_on=None,
        integration=integration,
        procedure_name=None,
        procedure_vendor=None,
        procedure_interface=None,
        inbox=None,
        workflow_approval=False,
        workflow_acknowledgement=False,
        workflow_cosigning=False,
        scanning_resiscan=False,
        scanning_mode=None,
        archive_audit_proof=False,
        archive_long_term=False,
        users_trained=None,
        measure_id=None,
        budget_line_ids=[],
        notes=None,
        version=1,
    )
    values.update(kw)
    return Rollout(**values)


def test_report_groups_procedure_e_files_once_and_standalone_by_product() -> None:
    rollouts = [
        _rollout("Finanzakte", "Kämmerei", "umgesetzt", designation="Finanzakte (elektr. Rg.)"),
        _rollout("Finanzakte", "Stadtkasse", "umgesetzt", designation="Finanzakte (elektr. Rg.)"),
        _rollout("Bauakte", "Bauordnung", "in_einfuehrung"),
        _rollout(
            "Allgemeiner Schriftverkehr",
            "Archiv",
            "in_einfuehrung",
            "eigenstaendig",
            introduction_on=D(2023, 9, 15),
        ),
        _rollout(
            "Allgemeiner Schriftverkehr",
            "Ordnungsbehörde",
            "in_einfuehrung",
            "eigenstaendig",
            introduction_on=D(2023, 8, 1),
        ),
    ]
    live = e_file_groups(rollouts, "umgesetzt")
    assert live == {"procedure": ["Finanzakte (elektr. Rg.)"], "standalone": []}
    intro = e_file_groups(rollouts, "in_einfuehrung")
    assert intro["procedure"] == ["Bauakte"]
    assert intro["standalone"][0]["label"] == "nscale egov Allgemeiner Schriftverkehr"
    assert intro["standalone"][0]["units"] == ["Ordnungsbehörde", "Archiv"]  # order of introduction


def test_charts_carry_the_same_numbers_as_their_tables() -> None:
    indicator = Indicator(
        goal=Goal(goal_share_percent=30, goal_year=2026, version=1),
        latest_share=25.0,
        goal_reached=False,
        trend=[
            TrendPoint(reporting_date=D(2024, 3, 31), total_count=1000, digital_count=250, digital_share=25.0)
        ],
    )
    trend = trend_chart(indicator)
    assert trend["spec"]["data"]["datasets"][0]["data"] == [25.0]
    assert trend["rows"] == [["31.03.2024", "1.000", "250", "25,0 %", "30,0 %"]]
    progress = progress_chart(
        [
            {
                "org_unit": "Organisation",
                "umgesetzt": 1,
                "in_einfuehrung": 2,
                "geplant": 0,
                "total": 3,
                "live_percent": 33,
            }
        ]
    )
    assert progress["rows"] == [["Organisation", 1, 2, 0, "33 %"]]
    timeline = timeline_chart(
        [
            _rollout("Bauakte", "Bauordnung", "in_einfuehrung", introduction_on=D(2023, 3, 1)),
            _rollout("Vertragsakte", "Recht", "geplant"),
        ],
        today=D(2024, 1, 1),
    )
    assert timeline["spec"]["data"]["labels"] == ["Bauakte – Bauordnung"]  # undated items only in the table
    assert len(timeline["rows"]) == 2
    bar = timeline["spec"]["data"]["datasets"][1]["data"][0]
    assert bar[0] == pytest.approx(2023.16, abs=0.01) and bar[1] == 2024.0


def test_too_long_texts_and_huge_numbers_are_refused_before_the_database() -> None:
    errors = fields(rollout_errors(RolloutInput(**IDS, procedure_name="x" * 201, users_trained=10**12)))
    assert "zu lang" in errors["procedure_name"] and "zu groß" in errors["users_trained"]
    assert "zu groß" in fields(volume_errors(VolumeInput(total_count=10**12, digital_count=1)))["total_count"]
    assert share_errors(float("nan"))


def test_nul_characters_never_reach_the_database() -> None:
    from plugins.dms.service.base import clean_text

    assert clean_text("nscale\x00 egov ") == "nscale egov"
    assert clean_text("\x00") is None
