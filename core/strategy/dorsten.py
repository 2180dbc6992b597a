# ruff: noqa: E501  (transcribed texts)
"""Demo content: the digitalisation strategy 1.0 of the Stadt Dorsten, transcribed.

Source: "Digitalisierungsstrategie 1.0, Stadt Dorsten" (prepared with the KAAW, December 2022
to May 2023), the shared seed document ``seeds/003_1448ec9baa83c9a7.txt``. Texts, Kernziele,
Lösungsbausteine (every rubric), Empfehlungen 1–9 and the maturity assessment texts are
quoted or condensed from it.

What the seed has only as pictures and is therefore *derived* here (marked in the notes):
the maturity levels (Abbildung 8; levels estimated from the assessment texts), the SWOT
entries (Abbildung 10; taken from the text of 4.2.5, 4.2.2, 4.2.4 and the conclusion), the
E-Government architecture components and their traffic lights (Abbildung 7; from the text
and the measures of the Lösungsbausteine). The Rahmenfinanzplan (Abbildung 18) is garbled in
the text version; the positions and totals below are reconstructed so that the sums of the
seed hold (one-off 588.000 €, running 650.671 €, VZÄ IST 1,00 / SOLL 3,00, dezentral 23,08);
spreading over the years 2023–2026, SOLL per line except line 001, measured indicator values
and actual spending are illustrative demo values, not from the source.
"""

from __future__ import annotations

from typing import Any

SOURCE = "Digitalisierungsstrategie 1.0 der Stadt Dorsten (KAAW, 2023), Seed 003"
DEMO_NOTE = "Beispielwert für die Demo (nicht aus der Quelle)"

STRATEGY: dict[str, Any] = {
    "title": "Digitalisierungsstrategie",
    "label": "1.0",
    "period_start": 2023,
    "period_end": 2026,
    "introduction": (
        "Der digitale Wandel verändert die Gesellschaft rasant und damit auch die Anforderungen an eine moderne "
        "Verwaltung und an einen attraktiven Arbeitsplatz. Die Stadt Dorsten möchte die Chancen der Digitalisierung "
        "nutzen, um proaktiv moderne Dienstleistungen für Bürger_innen und die Wirtschaft sowie attraktive "
        "Arbeitsbedingungen für Mitarbeitende und Bewerber_innen zu schaffen. Gesetze wie das E-Government-Gesetz "
        "NRW und das Onlinezugangsgesetz (OZG) verstärken die Digitalisierung kommunaler Leistungen.\n\n"
        "Gemeinsam mit dem Zweckverband KAAW erstellte die Stadt Dorsten von Dezember 2022 bis Mai 2023 in drei "
        "Workshops unter Beteiligung aller Ämter eine individuelle Digitalisierungsstrategie: einheitliche "
        "Definition des Begriffs der Digitalisierung, Bewertung der Ausgangslage, Herausforderungen, "
        "Lösungsbausteine und ein zeitlicher Ablaufplan.\n\n"
        "Zur Umsetzung bedarf es ausreichender personeller und finanzieller Ressourcen sowie der Unterstützung auf "
        "allen Hierarchieebenen. Die Maßnahmenpläne sind regelmäßig zu aktualisieren; ein ineffizienter analoger "
        "Prozess bleibt auch digital ineffizient – daher liegt ein Fokus auf dem Prozessmanagement."
    ),
    "vision": (
        "In der Gesamtbetrachtung sieht sich die Stadt Dorsten als moderne, praxisorientierte Verwaltung, die sich "
        "als ambitionierte, digitale Praktikerin positionieren will."
    ),
    "digitalisation_definition": (
        "„Digitalisierung bedeutet für die Stadtverwaltung Dorsten, der Gesellschaft und den Mitarbeitenden durch "
        "den Einsatz moderner Technologien zeitgemäße Verwaltungsdienstleistungen anzubieten. Das Ziel besteht "
        "darin, effiziente sowie medienbruchfreie Verwaltungsprozesse online bereitzustellen, um die Kommunikation "
        "mit Bürger_innen und den Mitarbeitenden zu erleichtern.“"
    ),
    "initial_situation": (
        "Dorsten, die „kleine Hansestadt“ an der Lippe, liegt im nördlichen Ruhrgebiet und wird als Tor zum "
        "Münsterland bezeichnet. Die Wirtschaft ist vor allem durch Mittelstand, Handel und Dienstleistung "
        "geprägt. Der Großteil der IT-Systeme und Fachverfahren wird vor Ort betrieben; einige, wie das "
        "Einwohnermeldeverfahren und das Dokumentenmanagementsystem, werden über die GKD Recklinghausen gehostet. "
        "Für die organisatorische Steuerung der Digitalisierung ist zusätzliche Fachexpertise bereitzustellen."
    ),
    "challenges": (
        "- Zunehmende Zahl gesetzlicher Rahmenwerke wie E-Government-Gesetz, OZG, eIDAS und IT-Sicherheit\n"
        "- Demografischer Wandel und Wissenstransfer\n"
        "- Technologische Entwicklungen (Ausbau des DMS, Cloudservices, Online-Dienste)\n"
        "- Reformation der Verwaltungsprozesse"
    ),
    "conclusion": (
        "Die KAAW hat mit den Führungskräften der Stadt Dorsten in drei Workshops eine Digitalisierungsstrategie "
        "erarbeitet, die Kernziele festgelegt und vier Lösungsbausteine entwickelt. Zu ihrer Umsetzung wurden "
        "agile operative Maßnahmenpläne erarbeitet. Das Verfolgen der Strategie erfordert ein begleitendes, "
        "proaktives Veränderungsmanagement; neben der Veränderungsbereitschaft der Mitarbeitenden ist ein Einsatz "
        "zusätzlicher finanzieller Mittel notwendig. Die Voraussetzungen in Dorsten sind aufgrund der technischen "
        "Ausstattung und des vorhandenen Fachwissens grundsätzlich „gut“."
    ),
}
ADOPTED_ON = "2023-05-31"  # end of the workshop phase (the document gives no date of adoption)

GOALS: list[dict[str, Any]] = [
    {
        "title": "Die Stadt Dorsten bleibt fortschrittlich und ist eine moderne Arbeitgeberin",
        "description": (
            "Durch das flächendeckende Ausweiten der elektronischen Aktenführung und der Schriftgutverwaltung sollen "
            "das Papieraufkommen und die Medienbrüche auf ein Minimum reduziert und einfache Arbeitsabläufe mit "
            "Workflows automatisiert werden. Relevante Prozesse werden aufgenommen, analysiert und optimiert."
        ),
        "indicators": [
            {
                "name": "Digital verarbeitete Dokumente (ohne Archivdaten)",
                "unit": "%",
                "baseline_value": "0",
                "target_value": "30",
                "due_date": "2026-12-31",
                "values": [
                    ("2023-09-30", "6"),
                    ("2024-03-31", "11"),
                    ("2024-09-30", "15"),
                    ("2025-03-31", "19"),
                ],
            },
            {
                "name": "Dokumentierte Prozesse in der Prozessbibliothek",
                "unit": "Prozesse",
                "baseline_value": "0",
                "target_value": "50",
                "due_date": "2026-12-31",
                "values": [("2024-03-31", "4"), ("2024-09-30", "12"), ("2025-03-31", "21")],
            },
        ],
    },
    {
        "title": "Durch die Digitalisierung werden der Gesellschaft moderne, digitale Angebote bereitgestellt",
        "description": (
            "Bis Ende 2026 sollen 20 Verwaltungsdienstleistungen online und medienbruchfrei für Bürger_innen und "
            "Wirtschaft bereitgestellt werden, wo es technisch und gesetzlich möglich ist. Risiken (zentrale "
            "Angebote von Land/Bund, geänderte Vorgaben, Datenschutz/IT-Sicherheit, Ressourcen) werden regelmäßig "
            "neu bewertet."
        ),
        "indicators": [
            {
                "name": "Verwaltungsdienstleistungen mit mindestens OZG-Reifegrad 3",
                "unit": "Dienste",
                "baseline_value": "0",
                "target_value": "20",
                "due_date": "2026-12-31",
                "values": [
                    ("2023-09-30", "3"),
                    ("2024-03-31", "6"),
                    ("2024-09-30", "9"),
                    ("2025-03-31", "12"),
                ],
            },
        ],
    },
    {
        "title": "Auf dem Weg der Umsetzung sind unsere Mitarbeitenden der wichtigste Erfolgsfaktor",
        "description": (
            "Das Personal wird befähigt und begleitet, um die Transformation positiv zu erfahren und zu gestalten. "
            "Ängste werden ernst genommen, positive Effekte aufgegriffen; IT-affine Personen wirken als Motivatoren."
        ),
        "indicators": [
            {
                "name": "Schulungs- und Sensibilisierungsmaßnahmen für Beschäftigte",
                "unit": "Anzahl",
                "baseline_value": "0",
                "target_value": "40",
                "due_date": "2026-12-31",
                "values": [("2023-09-30", "5"), ("2024-09-30", "14"), ("2025-03-31", "19")],
            },
        ],
    },
]

_RESOURCES = "siehe Ressourcenplanung im Kapitel 6"
BUILDING_BLOCKS: list[dict[str, Any]] = [
    {
        "code": "LBS-001",
        "title": "Ausweitung der flächendeckenden elektronischen Aktenführung",
        "description": (
            "Bis zum Ende des Jahres 2026 sollen 30 % der papiergebundenen Abläufe digital abgelegt und verwaltet "
            "werden (ohne Archivdaten). Hierzu bedarf es dem Ausbau des vorhandenen DMS mit elektronischer "
            "Aktenführung und Schriftgutverwaltung nach einem definierten, elektronischen Aktenplan und der "
            "Automatisierung von Arbeitsabläufen (Workflows)."
        ),
        "stakeholders": ["Mitarbeitende aller Organisationseinheiten"],
        "benefits": [
            "Vereinfachtes Arbeiten durch transparente, medienbruchfreie Prozesse",
            "Zentralisierter Zugriff auf relevante Daten",
            "Verbessert die Möglichkeit für mobiles Arbeiten in der Stadtverwaltung",
            "Effizienzgewinne durch Workflows",
            "Reduktion des Papieraufkommens innerhalb der Verwaltung",
        ],
        "acceptance_criteria": [
            "Bereitstellung eines Dokumentenmanagementsystems",
            "Eingerichtete Workflows im Dokumentenmanagementsystem",
            "Verfügbarkeit digitaler Dokumente im Dokumentenmanagementsystem",
            "Schulungsmaßnahmen der einzelnen Ämter",
        ],
        "measures": [
            "Ausbau des Funktionsumfangs des Dokumentenmanagementsystems (Module)",
            "Flächendeckende Ausweitung der elektronischen Aktenführung",
            "Schulungsmaßnahmen in einzelnen Ämtern",
        ],
        "risks": [
            "Qualität/Lesbarkeit/Verarbeitung der Daten (z. B. Resiscan, revisionssichere Archivierung)",
            "Finanzielle sowie personelle Ressourcen",
            "Gesetzliche/rechtliche Vorschriften",
        ],
        "resources": _RESOURCES,
        "responsible": "Stabsstelle Digitalisierung",
    },
    {
        "code": "LBS-002",
        "title": "Bereitstellung von digitalen Dienstleistungen",
        "description": (
            "20 Verwaltungsdienstleistungen, bei denen technisch sowie gesetzlich die Möglichkeit besteht und deren "
            "Bereitstellung in digitaler Form sowohl wirtschaftlich als auch technisch als sinnvoll bezeichnet werden "
            "kann, sollen der Stadtgesellschaft online und medienbruchfrei zur Nutzung bereitgestellt werden."
        ),
        "stakeholders": [
            "Mitarbeitende aller Organisationseinheiten",
            "Bürger_innen und Wirtschaft",
            "Politik",
        ],
        "benefits": [
            "Zeit- und ortsunabhängige Serviceangebote",
            "Effizienzgewinn durch medienbruchfreie Prozesse",
            "Erfüllung der gesetzlichen Vorgaben",
        ],
        "acceptance_criteria": [
            "Verfügbare E-Government-Anwendungen",
            "Nutzungsverhalten extern (Bürger_innen, Wirtschaft)",
            "Erfüllung der gesetzlichen Vorgaben",
        ],
        "measures": [
            "Ersetzen von analogen Verwaltungsprozessen durch Online-Services",
            "Gesetzliche Vorgaben hinsichtlich zeitlicher und technologischer Anforderungen umsetzen",
        ],
        "risks": [
            "Neue bzw. geänderte gesetzliche Vorgaben",
            "Geltende Vorschriften (z. B. Schriftformerfordernis)",
            "Finanzielle und personelle Ressourcen",
        ],
        "resources": _RESOURCES,
        "responsible": "Stabsstelle Digitalisierung",
    },
    {
        "code": "LBS-003",
        "title": "Aktives Gestalten von Veränderungsprozessen",
        "description": (
            "Ziel eines aktiven Veränderungsmanagements ist, dass Veränderungen nachhaltig in der Organisation "
            "verankert, die Beschäftigten mitgenommen und motiviert werden. Der Wandel soll vorgelebt und durch den "
            "Verwaltungsvorstand begleitet werden. Die Beschäftigten sollen die Gründe für die Veränderungen kennen, "
            "verstehen, akzeptieren und an ihrer Umsetzung mitwirken."
        ),
        "stakeholders": [
            "Mitarbeitende aller Organisationseinheiten",
            "Bürger_innen und Wirtschaft",
            "Politik",
        ],
        "benefits": ["Motivation der Beschäftigten", "Nachhaltigkeit", "Erfüllung der gesetzlichen Vorgaben"],
        "acceptance_criteria": [
            "Mitwirkung aller Beteiligten (inkl. Verwaltungsvorstand)",
            "Verfügbarkeit einer Marketingstrategie / eines Kennzahlensystems",
            "Schulungs-/Sensibilisierungsmaßnahmen anbieten",
            "Digitalisierungsschnittstelle als Fachkraft in den einzelnen Fachbereichen "
            "etablieren (z. B. Digitale Lotsen)",
        ],
        "measures": [
            "Erarbeitung und Realisierung einer Marketingstrategie",
            "Schulung und Sensibilisierung aller Mitarbeitenden",
            "Einführung von Digitalisierungs-Fachkräften in den einzelnen Ämtern",
            "Auswahl und Etablierung einer E-Learning-Plattform",
        ],
        "risks": [
            "Personelle Ressourcen (demografischer Wandel)",
            "Technologische (Weiter-)Entwicklungen, damit verbunden Vielzahl an Neuerungen und Veränderungen",
            "Vielzahl der externen Akteure im Bereich der Digitalisierung",
        ],
        "resources": _RESOURCES,
        "responsible": "Stabsstelle Digitalisierung und Personal- und Organisationsentwicklung",
    },
    {
        "code": "LBS-004",
        "title": "Prozessoptimierung & Wissensmanagement",
        "description": (
            "Im Rahmen der Digitalisierung sind die betroffenen Prozesse aufzunehmen, zu analysieren und bei Bedarf "
            "zu optimieren. Dokumentierte Prozesse dienen dem Bewahren des internen Fachwissens und der "
            "Wissensweitergabe. Alle relevanten Prozesse werden aufgenommen, modelliert und optimiert einer parallel "
            "aufzubauenden Prozessbibliothek zugeführt, die auch dem Wissensmanagement und der strategischen "
            "Steuerung dient."
        ),
        "stakeholders": ["Mitarbeitende aus allen Fachbereichen", "Führungskräfte"],
        "benefits": [
            "Optimierung von Prozessen",
            "Etablierung eines Wissensmanagementsystems",
            "Bewältigung des demografischen Wandels/des Fachkräftemangels",
        ],
        "acceptance_criteria": [
            "Anzahl an dokumentierten Prozessen",
            "Mitwirkung aller Fachbereiche bei der Prozessmodellierung",
            "Überführung analoger in digitale Prozesse",
            "Interkommunaler Wissensaustausch",
        ],
        "measures": [
            "Aufbau eines städtischen Prozessmanagements",
            "Regelmäßige Termine zwecks Prozessaufnahme in den Fachbereichen",
            "Überführung der Prozesse in eine Prozessbibliothek",
            "Schulungs- und Sensibilisierungsmaßnahmen",
        ],
        "risks": ["Finanzielle und personelle Ressourcen"],
        "resources": _RESOURCES,
        "responsible": "Die für die Organisation zuständige Organisationseinheit in Zusammenarbeit mit der "
        "Stabsstelle Digitalisierung",
    },
]

RECOMMENDATIONS: list[dict[str, Any]] = [
    {
        "number": 1,
        "context": "1.4 Umsetzung der Digitalisierungsstrategie",
        "measures": [
            "Überprüfung und Nachverfolgung der Maßnahmenpläne mindestens einmal jährlich durch die "
            "Projektleitung und Bericht an die beteiligten Führungskräfte"
        ],
        "indicators": ["Jährliche Terminierung und Abstimmung ggf. mit Begleitung eines IT-Dienstleisters"],
    },
    {
        "number": 2,
        "context": "3 Ausgangslage",
        "measures": [
            "Gesamtsteuerung aller lfd. Digitalisierungsprojekte der Verwaltung durch die für Digitalisierung "
            "zuständige Organisationseinheit",
            "Marketingmaßnahmen zur Begleitung des digitalen Wandels treffen (intern/extern)",
            "Festlegung einer Projektstruktur zur kontinuierlichen Steuerung der Einzelprojekte und Etablierung "
            "eines ganzheitlichen Veränderungsmanagements (inkl. Schulungs- und Sensibilisierungsmaßnahmen)",
            "Grundsätzliche Festlegung bzgl. Datenhoheit, Umgang mit sensiblen Daten, "
            "IT-Sicherheit/Datenschutz",
        ],
        "indicators": [
            "Fortschreibung der Maßnahmenpläne sowie aller lfd. Projekte",
            "Ergebnisse überbehördlicher Prüfungen (z. B. GPA NRW)",
        ],
    },
    {
        "number": 3,
        "context": "4.2.1 Systemlandschaft und IT-Organisation",
        "measures": [
            "Prüfung der für die Umsetzung der Maßnahmenpläne notwendigen personellen sowie sachlichen "
            "Ressourcen; Fortschreibung und Anpassung des Ressourcenplans",
            "Förderung der interkommunalen Zusammenarbeit unter Verwendung von Standardlösungen, sofern "
            "wirtschaftlich/technisch sinnvoll",
            "Durchführen von Grundschulungen zum Prozessmanagement für die am Digitalisierungsprozess "
            "mitwirkenden Beschäftigten",
        ],
        "indicators": [
            "Stellenanteile sowie Haushaltsansätze für Digitalisierung",
            "Anzahl Schulungen der Beschäftigten",
        ],
    },
    {
        "number": 4,
        "context": "4.2.2 E-Government-Architektur",
        "measures": [
            "Vollständige Etablierung der informationstechnischen Voraussetzungen als Basis für die Einführung "
            "und Nutzung von E-Government-Anwendungen",
            "Bedarfsorientierte Integration zusätzlicher Module auf Basis gesetzlicher Vorgaben",
            "Nutzung vorhandener, interkommunaler Standardlösungen, sofern wirtschaftlich und technisch sinnvoll",
        ],
        "indicators": [
            "Reifegrad des E-Government-Frameworks (technische Integration der fehlenden Module)",
            "Anzahl standardisierter, elektronischer Verwaltungsprozesse",
        ],
    },
    {
        "number": 5,
        "context": "4.2.4 Demografie-Analyse",
        "measures": [
            "Etablierung eines nachhaltigen Wissensmanagements durch ein umfassendes Prozessmanagement",
            "Aufbau einer Prozessbibliothek und Dokumentation der Verwaltungsabläufe (Wissenssicherung)",
            "Integration des Themenkomplexes „Digitalisierung“ in die Personalentwicklung",
        ],
        "indicators": [
            "Reifegrad des Aufbaus und der Etablierung einer (interkommunalen) Prozessbibliothek",
            "Anzahl Aus-/Weiterbildungen von Nachwuchsführungskräften und Auszubildenden",
        ],
    },
    {
        "number": 6,
        "context": "4.4 Kernziele 2026",
        "measures": [
            "Schulung und Sensibilisierung aller Beschäftigten (z. B. Umgang mit DMS, Anwenderschulungen)",
            "Regelmäßige Information aller Beteiligten über die erzielten Fortschritte",
            "Intranet-Nutzung zur Informationsvermittlung",
        ],
        "indicators": [
            "Aus- und Weiterbildung der Beschäftigten",
            "Anzahl Fachvorträge innerhalb der Verwaltung (z. B. Personalversammlung)",
        ],
    },
    {
        "number": 7,
        "context": "5 Lösungsbausteine",
        "measures": [
            "Kommunikation des Inhalts der vier Lösungsbausteine",
            "Gemeinsame Umsetzung der Maßnahmen der Lösungsbausteine und Integration der Fortschritte in ein "
            "Kennzahlensystem",
        ],
        "indicators": [
            "Realisierungsgrad der elektronischen Aktenführung – Ziel: digitale Verarbeitung von 30 % aller "
            "Dokumente",
            "Anzahl Online-Formulare/Antragswesen – Ziel: mind. OZG-Reifegrad 3 bei 20 "
            "Verwaltungsdienstleistungen",
            "Einführung Prozessmanagement – Ziel: Konzept bis Ende 2023, Beginn Prozessaufnahme bis Anfang 2024",
            "Erfolgreiches Change-Management – Ziel: Etablierung eines nachhaltigen Change-Managements",
        ],
    },
    {
        "number": 8,
        "context": "6.2 Rahmenfinanzplan",
        "measures": [
            "Kritische Überprüfung der verfügbaren Ressourcen insbesondere in den Organisationseinheiten IT und "
            "Digitalisierung",
            "Einplanung und Freigabe des Budgets im Zuge der zukünftigen HH-Planungen (Einmalaufwände verteilt "
            "über die Laufzeit gemäß Maßnahmenplanung)",
        ],
        "indicators": [],
    },
    {
        "number": 9,
        "context": "7 Fazit",
        "measures": [
            "Rechtzeitige Überprüfung der Inhalte und der Fortschritte der Digitalisierungsstrategie mindestens "
            "einmal jährlich",
            "Soll-Ist-Abgleich (Nachweis der Mittelverwendung)",
        ],
        "indicators": [
            "Anzahl strategischer Abstimmungstermine mit dem Verwaltungsvorstand",
            "Soll-Ist-Abweichungen der Finanzmittel",
        ],
    },
]

_ESTIMATED = "Stufe aus der Einschätzung abgeleitet (Abbildung 8 liegt nur als Grafik vor)."
MATURITY: list[dict[str, Any]] = [
    {
        "area": "strategie",
        "assessed_on": "2023-02-01",
        "level": 2,
        "target_level": 4,
        "assessment": "Erstellung der Digitalisierungsstrategie 1.0. " + _ESTIMATED,
    },
    {
        "area": "prozesse",
        "assessed_on": "2023-02-01",
        "level": 1,
        "target_level": 3,
        "assessment": "Kein Prozessmanagement vorhanden, es wird die Einführung von Grundlagendokumentationen mithilfe "
        "einer Potential-Analyse empfohlen. " + _ESTIMATED,
    },
    {
        "area": "architektur",
        "assessed_on": "2023-02-01",
        "level": 3,
        "target_level": 4,
        "assessment": "Gute, aber noch ausbaufähige E-Government-Infrastruktur vorhanden. " + _ESTIMATED,
    },
    {
        "area": "veraenderung",
        "assessed_on": "2023-02-01",
        "level": 2,
        "target_level": 4,
        "assessment": "Weitere Sensibilisierungs-/Schulungsmaßnahmen E-Government erforderlich. "
        + _ESTIMATED,
    },
]

SWOT: list[tuple[str, str]] = [
    (
        "S",
        "Sehr gute Organisationsstruktur; kann auf Veränderung durch den digitalen Wandel grundsätzlich gut reagieren",
    ),
    ("S", "Sehr gute und sichere Grundinfrastruktur für elektronische, medienbruchfreie Verwaltungsprozesse"),
    ("S", "Technische Ausstattung und vorhandenes Fachwissen"),
    ("W", "Fehlende personelle Ressourcen für die organisatorische Steuerung der Digitalisierung"),
    ("W", "Kein Prozessmanagement vorhanden"),
    ("W", "Altersstruktur der Beschäftigten: Wissensverlust durch altersbedingtes Ausscheiden"),
    ("O", "Effizienzgewinn durch Digitalisierung (längerfristig)"),
    ("O", "Interkommunale Zusammenarbeit und Standardlösungen (KAAW, Einer-für-Alle)"),
    ("O", "Attraktivität als moderne Arbeitgeberin im Wettbewerb um Fachkräfte"),
    ("T", "Gesetzliche Vorgaben (z. B. Schriftformerfordernis, persönliches Erscheinen)"),
    ("T", "Fachkräftemangel und demografischer Wandel"),
    ("T", "Neue bzw. geänderte Vorgaben zu Datenschutz und IT-Sicherheit"),
]

_DERIVED = "Abgeleitet aus dem Text (Abbildung 7 liegt nur als Grafik vor)."
ARCHITECTURE: list[dict[str, Any]] = [
    {
        "layer": "Zugang",
        "name": "Online-Formulare / Antragsmanagement",
        "state": "ausbaufaehig",
        "note": "Medienbruchfreie HTML-Formulare für 20 Dienste geplant (LBS-002). " + _DERIVED,
    },
    {"layer": "Zugang", "name": "Servicekonto / Nutzerkonto", "state": "vorhanden", "note": _DERIVED},
    {"layer": "Zugang", "name": "E-Payment (Bezahlplattform)", "state": "ausbaufaehig", "note": _DERIVED},
    {
        "layer": "Basisdienste",
        "name": "Dokumentenmanagementsystem mit E-Akte",
        "state": "ausbaufaehig",
        "note": "Über die GKD Recklinghausen gehostet; Ausbau der Module geplant (LBS-001).",
    },
    {
        "layer": "Basisdienste",
        "name": "Workflows im DMS",
        "state": "nicht_vorhanden",
        "note": "Einrichtung von Workflows und Archivierungsfunktionen geplant (Maßnahme 002). " + _DERIVED,
    },
    {
        "layer": "Basisdienste",
        "name": "Elektronische Langzeitarchivierung",
        "state": "nicht_vorhanden",
        "note": _DERIVED,
    },
    {
        "layer": "Basisdienste",
        "name": "Scan-Infrastruktur (ersetzendes Scannen)",
        "state": "ausbaufaehig",
        "note": "Einscannen von Dokumenten (Maßnahme 004). " + _DERIVED,
    },
    {
        "layer": "Basisdienste",
        "name": "Prozessmanagement / Prozessbibliothek",
        "state": "nicht_vorhanden",
        "note": "Kein Prozessmanagement vorhanden (Reifegradbewertung).",
    },
    {
        "layer": "Fachverfahren",
        "name": "Einwohnermeldeverfahren",
        "state": "vorhanden",
        "note": "Über die GKD Recklinghausen gehostet.",
    },
    {
        "layer": "Fachverfahren",
        "name": "Weitere Fachverfahren im Eigenbetrieb",
        "state": "vorhanden",
        "note": "Ausbau zusätzlicher Fachverfahren geplant (Maßnahme 008).",
    },
    {
        "layer": "Infrastruktur",
        "name": "IT-Infrastruktur (Server, Netz, Arbeitsplätze)",
        "state": "vorhanden",
        "note": "Sehr gute und sichere Grundinfrastruktur (4.2.2).",
    },
    {
        "layer": "Infrastruktur",
        "name": "Mobile und digitale Arbeitsplätze",
        "state": "ausbaufaehig",
        "note": "Ausstattung mobiler Arbeitsplätze geplant (Maßnahme 003).",
    },
    {
        "layer": "Wissen",
        "name": "E-Learning-Plattform",
        "state": "nicht_vorhanden",
        "note": "Auswahl und Etablierung geplant (LBS-003).",
    },
    {
        "layer": "Wissen",
        "name": "Intranet zur Informationsvermittlung",
        "state": "vorhanden",
        "note": "Nutzung ausbauen (Empfehlung 6). " + _DERIVED,
    },
]

#: Rahmenfinanzplan (Abbildung 18), reconstructed: (number, LBS code, title, remark,
#: totals 2023–2026 per column, staff VZÄ (IST, SOLL, dezentral SOLL)).
BUDGET: list[dict[str, Any]] = [
    {
        "number": "001",
        "block": "LBS-001",
        "title": "Ausbau des Dokumenten-Management-Systems",
        "remark": "Zusatzmodule, Consulting und Lizenzerweiterungen",
        "one_off": {"development": 45000, "hardware_software": 221000, "infrastructure": 25000},
        "running": {"consulting": 26071, "transformation": 390000, "licences": 69200},
        "staff": {"staff_ist": "0.30", "staff_soll": "1.00", "staff_decentral": "23.08"},
    },
    {
        "number": "002",
        "block": "LBS-001",
        "title": "Einrichtung von Workflows und Archivierungsfunktionen im Dokumenten-Management-System",
        "remark": "In Position 001 enthalten",
        "one_off": {},
        "running": {},
        "staff": {},
    },
    {
        "number": "003",
        "block": "LBS-001",
        "title": "Ausstattung mobile sowie digitale Arbeitsplätze",
        "remark": "IT-Arbeitsplatzausstattung (Tablets, Notebooks, bedarfsgerechte Bildschirme), neue Technologien",
        "one_off": {"hardware_software": 75000},
        "running": {},
        "staff": {},
    },
    {
        "number": "004",
        "block": "LBS-001",
        "title": "Einscannen von Dokumenten",
        "remark": "Scandienstleistungen in Position 001 (Allgemeine Aufwände) enthalten",
        "one_off": {},
        "running": {},
        "staff": {},
    },
    {
        "number": "005",
        "block": "LBS-002",
        "title": "Einführung von E-Government-Modulen",
        "remark": "",
        "one_off": {"development": 15000},
        "running": {},
        "staff": {"staff_ist": "0.65", "staff_soll": "1.00"},
    },
    {
        "number": "006",
        "block": "LBS-002",
        "title": "Einführung von individuellen E-Government-Anwendungen / OZG-Prozessen",
        "remark": "",
        "one_off": {"hardware_software": 20000},
        "running": {"consulting": 13000, "transformation": 30400, "licences": 55000},
        "staff": {},
    },
    {
        "number": "007",
        "block": "LBS-002",
        "title": "Einführung von standardisierten E-Government-Anwendungen / OZG-Prozessen",
        "remark": "",
        "one_off": {"development": 30000, "hardware_software": 30000},
        "running": {},
        "staff": {},
    },
    {
        "number": "008",
        "block": "LBS-002",
        "title": "Einführung und Ausbau zusätzlicher Fachverfahren",
        "remark": "",
        "one_off": {"development": 57000},
        "running": {"licences": 25000},
        "staff": {},
    },
    {
        "number": "009",
        "block": "LBS-003",
        "title": "Veränderungsmanagement",
        "remark": "Marketingstrategie, Schulung und Sensibilisierung inkl. Lernplattform, Kennzahlensystem "
        "(Reifegrad), dezentrale Ansprechpersonen",
        "one_off": {"development": 45000},
        "running": {"consulting": 9000, "training": 13000},
        "staff": {"staff_soll": "0.50"},
    },
    {
        "number": "010",
        "block": "LBS-004",
        "title": "Prozessoptimierung & Wissensmanagement",
        "remark": "Aufbau und Pflege Prozessregister, Prozessbibliothek, Qualitätssicherung",
        "one_off": {"development": 25000},
        "running": {"consulting": 11000, "training": 9000},
        "staff": {"staff_ist": "0.05", "staff_soll": "0.50"},
    },
]
BUDGET_YEARS = (2023, 2024, 2025, 2026)
#: Share of the planned money actually spent, per year (illustrative, for plan vs actual).
ACTUAL_SHARE = {2023: "0.85", 2024: "0.7"}
