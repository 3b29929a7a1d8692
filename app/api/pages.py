"""GET /: the playground page, in the language the request asks for (app/api/language.py), and
with ?embed=1 its embeddable view (app/api/embed.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.api.embed import wants_embed, without_embed
from app.api.language import VARY, language_context
from app.lessons import lessons_as_dicts
from app.neuron.datasets import DATASETS

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse, name="playground_page")
async def playground(request: Request) -> HTMLResponse:
    templates = request.app.state.templates
    words = language_context(request)
    t = words["t"]
    datasets = [{"id": d.id, "name": t(f"dataset.{d.id}.name"), "separable": d.linearly_separable,
                 "description": t(f"dataset.{d.id}.about")} for d in DATASETS.values()]  # fmt: skip
    query = request.url.query
    embed = wants_embed(request.url.path, query)
    context = {**words, "datasets": datasets, "lessons": lessons_as_dicts(words["lang"]), "embed": embed,
               "full_url": "/" + without_embed(query) if embed else None}  # fmt: skip
    return templates.TemplateResponse(request, "index.html", context, headers=VARY)
