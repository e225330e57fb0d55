"""Post kinds (``plugins.cadres.posts``): what a post is, worked out when it is written, and the
search of a kind's name matching every post of that kind (an index lookup), on both databases."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from plugins.cadres import search, service
from plugins.cadres.models import PostRecord
from plugins.cadres.posts import kind_of_text, post_kind
from plugins.cadres.schemas import ProfileIn
from tests.plugins.cadres.setup import make_world

ON = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("unit", "post", "kind"),
    [
        ("羊场镇", "党委书记", "township_party_secretary"),
        ("", "羊场镇党委书记", "township_party_secretary"),
        ("", "乡镇党委书记", "township_party_secretary"),
        ("碧阳街道", "党工委书记", "township_party_secretary"),
        ("羊场镇", "党委副书记", "township_deputy_party_secretary"),
        ("羊场镇", "纪委书记", "township_discipline_secretary"),
        ("羊场镇人民政府", "镇长", "township_head"),
        ("羊场镇人民政府", "副镇长", "township_deputy_head"),
        ("县教育局", "局长", "bureau_chief"),
        ("县教育局", "副局长", "deputy_bureau_chief"),
        ("镇远县财政局", "局长", "bureau_chief"),  # 镇 of a county's name is no township
        ("大方县委办", "科员", ""),
        ("县委", "党委书记", ""),  # no township named
    ],
)
def test_post_kind(unit, post, kind):
    assert post_kind(unit, post) == kind


def test_search_texts_naming_a_kind():
    assert kind_of_text("乡镇党委书记") == kind_of_text("镇党委书记") == "township_party_secretary"
    assert kind_of_text(" 局长 ") == "bureau_chief"
    assert kind_of_text("书记") is None and kind_of_text("党委书记") is None


def test_kind_is_written_and_searched(ctx):
    world = make_world(ctx)
    actor = world.actors["org_dept"]
    posts = {
        "张书记": [{"unit_name": "羊场镇", "post": "党委书记", "start": date(2016, 7, 1)}],  # no 乡镇 in the text
        "李镇长": [{"unit_name": "岩孔镇", "post": "党委副书记", "start": date(2016, 7, 1)}],
    }
    for name, rows in posts.items():
        service.write_profile(ctx, actor, "ca", world.people[name], ProfileIn.model_validate({"posts": rows}))
    with ctx.db.read() as session:
        kinds = dict(session.exec(select(PostRecord.post, PostRecord.post_kind)).all())
    assert kinds["党委书记"] == "township_party_secretary"
    assert kinds["党委副书记"] == "township_deputy_party_secretary"
    assert kinds["局长"] == "bureau_chief"  # 王局长's post, written by make_world

    def names(text, **more):
        query = {"op": "and", "items": [{"kind": "post", "text": text, **more}]}
        return sorted(i["name"] for i in search.run_search(ctx, actor, "ca", query, today=ON)["items"])

    assert names("乡镇党委书记") == ["张书记"]  # by kind: the deputy is not one
    assert names("乡镇党委书记", min_years=11) == []  # 10.4 years
    assert names("乡镇党委副书记") == ["李镇长"]
    assert names("党委") == ["张书记", "李镇长"]  # not a kind: contains
    found = search.run_search(
        ctx, actor, "ca", {"op": "and", "items": [{"kind": "post", "text": "乡镇党委书记"}]}, today=ON
    )
    assert "羊场镇党委书记" in found["items"][0]["evidence"][0]["detail"]
