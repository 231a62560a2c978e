"""The reading rules of ``corridor extract`` one at a time (issue 24): stance read forward from a
nominal action, states and earlier events as background, restatements merged, actors from a
quotation's speaker and from "the army", road phrases resolved to the road the scenario names,
datelines, and what stays linear in the text's length.

The sentences are written for these tests; the scenarios are the bundled Mosul one and the
schematic ones of the labelled set (``tests/news_set.py``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import news_set
from corridor.ingest.news import NewsSource, extract, read_date


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, Any]]:
    return news_set.load_all(Path(tmp_path_factory.mktemp("news-rules")))


def run(scenarios: dict[str, tuple[Any, Any]], name: str, text: str, day: str) -> list[Any]:
    sc, net = scenarios[name]
    return extract(text, sc, NewsSource(published=dt.date.fromisoformat(day)), network=net)


def one(cands: list[Any]) -> Any:
    assert len(cands) == 1, [(c.kind, c.quote) for c in cands]
    return cands[0]


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("The planned evacuation from Mariupol never began on Saturday.", None),
        ("The evacuation of Mariupol was called off on Saturday.", None),
        ("An evacuation corridor from Mariupol is due to open on Saturday.", "intent"),
        ("The evacuation of Mariupol will start on Saturday, officials said.", "intent"),
        ("About 20,000 people fled Mariupol on Saturday, officials said.", "claimed"),
    ],
)
def test_nominal_action_read_forward(scenarios: Any, text: str, stance: str | None) -> None:
    cands = run(scenarios, "mariupol", text, "2022-03-06")
    assert [c.extra["stance"] for c in cands] == ([stance] if stance else [])


@pytest.mark.parametrize(
    "text",
    [
        "Last month the army besieged Harasta from three sides.",
        "All roads out of Douma remain closed.",
        "Government forces had entered Harasta after a long siege.",
    ],
)
def test_background_is_never_applied(scenarios: Any, text: str) -> None:
    c = one(run(scenarios, "ghouta", text, "2018-03-20"))
    assert c.extra["stance"] == "background"
    assert c.problem()  # accept refuses it without an override


def test_reported_speech_in_past_perfect_is_a_claim(scenarios: Any) -> None:
    c = one(run(scenarios, "ghouta", "Officials said troops had entered Harasta.", "2018-03-20"))
    assert c.extra["stance"] == "claimed"


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("Hashd commanders want to close the road between Tal Afar and Muhallabiya.", "intent"),
        ("Since 18 October no convoy had entered Tal Afar.", None),
    ],
)
def test_want_to_and_no(scenarios: Any, text: str, stance: str | None) -> None:
    cands = run(scenarios, "mosul", text, "2016-11-03")
    assert [c.extra["stance"] for c in cands] == ([stance] if stance else [])


def test_last_month_is_background_but_last_week_is_not() -> None:
    day = dt.date(2018, 3, 20)
    assert read_date("Last month the army besieged Harasta.", day).background
    assert not read_date("Last week the army besieged Harasta.", day).background


def test_may_alone_is_a_month_only_after_a_preposition() -> None:
    day = dt.date(2021, 6, 30)
    assert read_date("The Shire-May Tsebri road was cut on Monday.", day).day == dt.date(
        2021, 6, 28
    )
    assert read_date("The road was cut in May.", day).words == "May"


def test_a_date_that_is_only_when_it_was_said_merges_with_the_dated_event(
    scenarios: Any,
) -> None:
    text = (
        "The militias said on Friday they had cut the road between Tal Afar and Sinjar. "
        "PMU units cut the road between Tal Afar and Sinjar on Thursday, a spokesman said."
    )
    c = one(run(scenarios, "mosul", text, "2016-11-05"))
    assert (c.kind, c.date, c.actor) == ("close", dt.date(2016, 11, 3), "pmu")
    assert c.target == {"ref": "R2", "between": ["tal-afar", "sinjar"]}
    assert len(c.extra["restated"]) == 1
    assert c.summary.startswith("Popular Mobilization Units")


def test_undated_restatement_and_stance_class_merge(scenarios: Any) -> None:
    text = (
        "Pro-government forces recaptured Ramouseh yesterday. State media said the army "
        "recaptured Ramouseh after heavy air strikes. Rebel fighters entered Handarat yesterday."
    )
    cands = run(scenarios, "aleppo", text, "2016-09-05")
    assert [(c.kind, c.target, c.actor) for c in cands] == [
        ("zone", {"place": "ramouseh"}, "saa"),
        ("zone", {"place": "handarat"}, "rebels"),
    ]
    assert len(cands[0].extra["restated"]) == 1


def test_different_actors_or_dates_stay_apart(scenarios: Any) -> None:
    text = "Government forces seized Handarat on Monday. Rebel fighters seized Handarat on Friday."
    assert len(run(scenarios, "aleppo", text, "2016-11-28")) == 2


def test_speaker_of_a_quoted_we(scenarios: Any) -> None:
    text = '"We cut the road to Tal Afar airport last night," a PMF spokesman said on Sunday.'
    c = one(run(scenarios, "mosul", text, "2016-11-16"))
    assert (c.actor, c.date) == ("pmu", dt.date(2016, 11, 12))


def test_the_army_is_the_scenarios_one_army(scenarios: Any) -> None:
    c = one(run(scenarios, "ghouta", "On Monday troops entered Harasta.", "2018-03-20"))
    assert c.actor == "saa"  # "Army of Islam" is an army's name but does not end in it
    # Mosul has three army divisions: "the army" stays unresolved
    c = one(run(scenarios, "mosul", "The army entered Badush on Monday.", "2017-03-07"))
    assert c.actor is None


@pytest.mark.parametrize(
    ("name", "text", "target"),
    [
        ("aleppo", "Government forces cut the Castello Road on Wednesday.", {"ref": "C1"}),
        ("aleppo", "Rebels opened the Ramouseh road on 6 August.", {"ref": "R2"}),
        (
            "mosul",
            "The army reopened the Mosul-Baghdad highway between Hamam al-Alil and Shura.",
            {"ref": "R5", "between": ["hamam-al-alil", "shura"]},
        ),
        (
            "mosul",
            "The Hashd cut the main highway from Tal Afar to Mosul on Monday.",
            {"ref": "R1", "between": ["tal-afar", "mosul"]},
        ),
        (
            "mosul",
            "The Hashd cut the road between Tal Afar and Mosul on Monday.",
            {"ref": "R3", "between": ["tal-afar", "mosul"]},
        ),
        ("tigray", "The bridge on the Shire-May Tsebri road was destroyed.", {"ref": "TKZ"}),
        (
            "tigray",
            "Trucks reached Mekelle after the army opened the road from Semera.",
            {"ref": "SAM", "between": ["mekelle", "semera"]},
        ),
    ],
)
def test_road_phrases(scenarios: Any, name: str, text: str, target: dict[str, Any]) -> None:
    c = one(run(scenarios, name, text, "2016-11-30"))
    assert c.target == target


def test_dateline_of_a_later_paragraph(scenarios: Any) -> None:
    text = "Militias cut road\n\nBAGHDAD, Nov 4 - PMU fighters cut the road between Tal Afar and "
    text += "Sinjar on Thursday."
    headline, c = run(scenarios, "mosul", text, "2016-11-04")
    assert headline.quote == "Militias cut road"
    assert (c.actor, c.quote[:12]) == ("pmu", "PMU fighters")
    assert text[c.extra["offsets"][0] :].startswith("PMU fighters")


def test_restatements_of_a_long_text_stay_linear(scenarios: Any) -> None:
    """The same event told 20,000 times is one candidate, found without comparing each
    sentence with every earlier one."""
    text = " ".join(["PMU units cut the road between Tal Afar and Sinjar on Tuesday."] * 20_000)
    (c,) = run(scenarios, "mosul", text, "2016-11-24")
    assert len(c.extra["restated"]) == 19_999


def test_review_file_written_piecewise_is_the_whole_documents_text(
    scenarios: Any, tmp_path: Path
) -> None:
    """``Review.to_yaml`` writes one candidate at a time; the text is what one dump of the
    whole review gives with PyYAML's pure-Python emitter, and it loads back."""
    import yaml

    from corridor.ingest.review import Review, read_review

    text = (
        'ALEPPO (Wire) - "We cut the Castello Road on Wednesday," a Syrian army officer said '
        "on Thursday; the line is long enough that PyYAML folds it at its width of one hundred. "
        "About 5,000 people fled eastern Aleppo yesterday. Rebels vowed to reopen the road."
    )
    cands = run(scenarios, "aleppo", text, "2016-07-29")
    assert len(cands) == 3
    review = Review(scenario="s.yaml", origin="article", candidates=cands)

    class Plain(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    whole = {
        "review": 1,
        "scenario": "s.yaml",
        "origin": "article",
        "unmatched_actors": {},
        "candidates": [c.to_dict() for c in cands],
    }
    body = yaml.dump(
        whole, Dumper=Plain, sort_keys=False, allow_unicode=True, width=100,
        default_flow_style=None,
    )  # fmt: skip
    written = review.to_yaml()
    assert written.endswith(body)  # after the comment lines
    (tmp_path / "r.yaml").write_text(written, encoding="utf-8")
    assert [c.id for c in read_review(tmp_path / "r.yaml").candidates] == [c.id for c in cands]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        # the future word is more than ten words before the weekday, in the same clause
        (
            "The army will open the coastal road to aid lorries and to families going back "
            "north for six hours on Friday.",
            dt.date(2023, 11, 17),
        ),
        ("Troops will hold the town after they sealed the road on Monday.", dt.date(2023, 11, 13)),
        (
            "The truce will hold, officials hope; the army cut the road on Monday.",
            dt.date(2023, 11, 13),
        ),
        ("The truce will hold but the army cut the road on Monday.", dt.date(2023, 11, 13)),
    ],
)
def test_a_future_word_reaches_its_clause_only(text: str, day: dt.date) -> None:
    thursday = dt.date(2023, 11, 16)
    assert read_date(text, thursday).day == day


def test_a_clause_after_a_future_word_is_reported(scenarios: Any) -> None:
    text = (
        "Israeli troops will pull back once more after they closed the Salah al-Din road on Monday."
    )
    c = one(run(scenarios, "gaza", text, "2023-11-16"))
    assert (c.kind, c.extra["stance"], c.date) == ("close", "reported", dt.date(2023, 11, 13))


@pytest.mark.parametrize(
    ("name", "text", "target"),
    [
        ("mosul", "Coalition jets destroyed the Fifth Bridge on Tuesday.", {"ref": "B1"}),
        (
            "tigray",
            "Tigrayan fighters blew up the bridge between Shire and May Tsebri on Monday.",
            {"ref": "TKZ", "between": ["shire", "may-tsebri"]},
        ),
    ],
)
def test_a_bridge_is_a_road(scenarios: Any, name: str, text: str, target: dict[str, Any]) -> None:
    c = one(run(scenarios, name, text, "2016-11-30"))
    assert (c.kind, c.target) == ("close", target)
    assert not [u for u in c.unresolved if u.startswith("name:")]  # "Fifth Bridge" is known


def test_a_bridge_the_network_cannot_name_stays_unresolved(scenarios: Any) -> None:
    text = "Islamic State fighters blew up the bridge over the Tigris before dawn on Sunday."
    c = one(run(scenarios, "mosul", text, "2016-11-30"))
    assert (c.kind, c.target, c.actor) == ("close", {}, "isis")
    assert any(u.startswith("target:") for u in c.unresolved)


def test_a_telling_with_no_target_restates_its_event(scenarios: Any) -> None:
    text = (
        "Russian forces cut the Bakhmut-Chasiv Yar road on Thursday. Russian troops cut the "
        "road near Khromove on Thursday, Ukrainian officers said."
    )
    c = one(run(scenarios, "bakhmut", text, "2023-03-03"))
    assert (c.kind, c.target.get("ref"), c.actor) == ("close", "BC", "russia")
    assert len(c.extra["restated"]) == 1


def test_a_telling_with_no_target_on_another_day_stays_apart(scenarios: Any) -> None:
    text = (
        "Russian forces cut the Bakhmut-Chasiv Yar road on Thursday. Wagner fighters cut the "
        "road near Khromove on Monday."
    )
    assert len(run(scenarios, "bakhmut", text, "2023-03-03")) == 2


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Buses with some 300 civilians left Douma on Sunday.", "douma"),
        ("Hundreds of families left the besieged town of Harasta on foot on Sunday.", "harasta"),
        ("Government troops left Misraba on Sunday.", None),  # a withdrawal, not people
        ("The army left Misraba on Sunday.", None),
        ("Rebels said they would never leave Douma.", None),
        ("The shelling left Harasta without water on Sunday.", None),  # a state it caused
        ("The shelling left Harasta in ruins on Sunday.", None),
    ],
)
def test_people_leaving_a_place(scenarios: Any, text: str, place: str | None) -> None:
    cands = run(scenarios, "ghouta", text, "2018-03-19")
    got = [(c.kind, c.target.get("place"), c.date) for c in cands]
    assert got == ([("population", place, dt.date(2018, 3, 18))] if place else [])


def test_leaving_a_place_whose_name_starts_with_a_side_word(scenarios: Any) -> None:
    text = "Hundreds of families left eastern Aleppo on Monday, the Red Cross said."
    c = one(run(scenarios, "aleppo", text, "2016-12-20"))
    assert (c.kind, c.target, c.date) == (
        "population",
        {"place": "aleppo-east"},
        dt.date(2016, 12, 19),
    )


def test_a_bridge_no_network_road_is_named_for_is_the_crossing_at_its_place(
    scenarios: Any,
) -> None:
    text = "Islamic State militants blew up the bridge at Badush on Sunday."
    c = one(run(scenarios, "mosul", text, "2016-11-08"))
    assert (c.kind, c.target, c.date) == ("close", {"place": "badush"}, dt.date(2016, 11, 6))
    assert any(u.startswith("target: a bridge at badush") for u in c.unresolved)
    # a road word keeps the road's reading: "the road near Badush" is no place to close
    c = one(run(scenarios, "mosul", "ISF troops cut the road near Badush.", "2016-11-08"))
    assert c.target == {}
