"""German analysis: stemming, -ung folding, decompounding from the corpus' own words."""

from __future__ import annotations

from core.assistant.text import Decompounder, analyze, everyday_terms, expand_query, stem

CORPUS = [
    "Hundesteuer Anmeldung",
    "Grundsteuer",
    "Gewerbesteuer",
    "Hund",
    "Steuer",
    "Personalausweis",
    "Reisepass",
    "Kinderreisepass",
    "Gewerbe",
    "Register",
    "Gewerberegister Auskunft",
    "Dienstausweis",
    "Schülerausweis",
    "Parkausweis",
    "Führerschein",
    "Fischereischein",
    "Jagdschein",
    "Waffenschein",
    "Schein",
]


def test_stemming_folds_inflection_umlauts_and_ung() -> None:
    assert stem("anmeldung") == stem("anmelden")
    assert stem("kindergärten") == stem("kindergarten")
    assert analyze("die Hunde") == analyze("der Hund")


def test_decompounding_uses_words_of_the_corpus() -> None:
    d = Decompounder.learn(CORPUS)
    assert d.split("hundesteuer") == ("hund", "steuer")
    assert d.split("gewerberegister") == ("gewerbe", "register")
    # a productive last part ("…schein" ends many words) splits off an unknown first part
    assert d.split("angelschein") == ("angel", "schein")
    # an ending that never stands alone splits only after a known first part
    assert d.split("kinderausweis") == ()
    assert d.split("hundeausweis") == ("hund", "ausweis")


def test_no_split_of_short_or_unknown_words() -> None:
    d = Decompounder.learn(CORPUS)
    assert d.split("hund") == ()
    assert d.split("kanalisation") == ()


def test_analyze_keeps_the_whole_word_and_adds_parts() -> None:
    d = Decompounder.learn(CORPUS)
    terms = analyze("Hundesteuer", d)
    assert stem("hundesteuer") in terms and stem("hund") in terms and stem("steuer") in terms
    assert analyze("Wo melde ich meinen Hund an?", d) == [stem("melde"), stem("hund")]


def test_everyday_words_get_the_catalogues_words() -> None:
    known = {"platz": 4, "steuer": 9}
    assert expand_query("Perso verloren") == "Perso verloren (Personalausweis)"
    # phrases, abbreviations with digits, hyphenated forms; the longest form wins
    assert everyday_terms("Hartz 4 beantragen") == ["Arbeitslosengeld II Grundsicherung"]
    assert everyday_terms("Punkte in Flensburg abfragen") == ["Fahreignungsregister"]
    assert everyday_terms("Meister-Bafög beantragen") == ["Aufstiegsfortbildungsförderung AFBG"]
    # a compound made of an everyday word and a known word
    assert "Kindertagesbetreuung Kindertagesstätte" in everyday_terms("Kitaplatz gesucht", known)
    assert everyday_terms("Kfz-Steuer", known)[0].startswith("Kraftfahrzeug")
    # … but not a word that merely begins like one (``Demo`` in ``Demokratie``)
    assert everyday_terms("Demokratie stärken", known) == []
    assert everyday_terms("Kurabgabe zahlen", known) == []  # short forms match whole words only
    assert expand_query("Hundesteuer anmelden", known) == "Hundesteuer anmelden"
    terms, matched = everyday_terms("GEZ abmelden", known, with_words=True)
    assert terms == ["Rundfunkbeitrag"] and matched == ["gez"]
