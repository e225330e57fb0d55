"""An example third-party plugin: a scoring rule that takes each subject's best category.

Shows the three things a plugin module does: describe itself (``KAOPING_PLUGIN``), declare
its options as a pydantic model, and implement hooks with ``@hookimpl``. It also serves a few
routes (``kaoping_routes``): the core lets only signed-in users of a locality that enabled the
plugin reach them (404 elsewhere), except the one marked public.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.hookspecs import hookimpl
from core.plugins import PluginInfo
from core.scoring import SubjectScore, TallyData


class PluginOptions(BaseModel):
    model_config = {"extra": "forbid"}

    note: str = Field(default="", max_length=100, description="Shown to the office; an example option.")


KAOPING_PLUGIN = PluginInfo(
    label_zh="示例插件",
    label_en="Example plugin",
    options_model=PluginOptions,
    description="Scores a subject by its best evaluator category.",
)


class HighestCategoryOptions(BaseModel):
    model_config = {"extra": "forbid"}

    bonus: float = Field(default=0.0, ge=0, le=100, description="Points added to every score.")


class HighestCategory:
    name = "highest_category"
    label_zh = "最高类别得分"
    label_en = "Best category score"
    options_model = HighestCategoryOptions

    def score(self, data: TallyData, options: HighestCategoryOptions) -> list[SubjectScore]:
        results = []
        for subject in data.subjects:
            best = None
            by_category = {}
            for category in data.categories:
                template = data.templates[category.template_id]
                n = data.ballots.get((category.id, subject.id), 0)
                if not n:
                    continue
                leaves = template.graded_leaves()
                total = 0.0
                for leaf in leaves:
                    counts = data.counts.get((category.id, subject.id, leaf.id), [])
                    total += sum(c * template.grades[g][1] for g, c in enumerate(counts)) / n
                score = total / len(leaves)
                by_category[category.name] = {"score": score, "ballots": n}
                best = score if best is None else max(best, score)
            results.append(
                SubjectScore(
                    subject_id=subject.id,
                    name=subject.name,
                    category=subject.category,
                    score=None if best is None else best + options.bonus,
                    by_category=by_category,
                )
            )
        return results


@hookimpl
def kaoping_scoring_rules():
    return [HighestCategory()]


# --- routes: the core lets only signed-in users of localities that enabled the plugin in ---------


@hookimpl
def kaoping_routes():
    # Imported here, not at the top: a process that only tallies or runs the command line never
    # loads the web framework for this plugin.
    from litestar import get
    from litestar.params import FromPath

    @get("/api/localities/{code:str}/example", sync_to_thread=False, summary="Example plugin: per locality")
    def locality_hello(code: FromPath[str]) -> dict[str, str]:
        return {"plugin": "example", "locality": code}

    @get("/api/campaigns/{campaign_id:int}/example", sync_to_thread=False, summary="Example plugin: per campaign")
    def campaign_hello(campaign_id: FromPath[int]) -> dict[str, str | int]:
        return {"plugin": "example", "campaign_id": campaign_id}

    @get("/api/example/ping", sync_to_thread=False, summary="Example plugin: names no locality")
    def ping() -> dict[str, str]:
        return {"plugin": "example"}

    # Public: answers without sign-in (e.g. a page for the public), still only where enabled.
    @get(
        "/api/localities/{code:str}/example/notice",
        sync_to_thread=False,
        opt={"public": True},
        summary="Example plugin: public, per locality",
    )
    def notice(code: FromPath[str]) -> dict[str, str]:
        return {"plugin": "example", "notice": f"{code} runs the example plugin"}

    return [locality_hello, campaign_hello, ping, notice]


# --- the console's menu: an entry only where the locality enabled the plugin ----------------


@hookimpl
def kaoping_admin_menu(locality_code):
    from core.web.admin.menu import OFFICE, MenuEntry

    return [
        MenuEntry(
            "example.hello",
            "示例页面",
            "Example page",
            f"/api/localities/{locality_code}/example",
            roles=OFFICE,
            order=55,
        )
    ]
