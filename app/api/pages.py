"""GET /: the playground page (with ?embed=1 its embeddable view, app/api/embed.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.api.embed import wants_embed, without_embed
from app.lessons import lessons_as_dicts
from app.neuron.datasets import DATASETS

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse, name="playground_page")
async def playground(request: Request) -> HTMLResponse:
    templates = request.app.state.templates
    datasets = [{"id": d.id, "name": d.name, "separable": d.linearly_separable,
                 "description": d.description} for d in DATASETS.values()]  # fmt: skip
    query = request.url.query
    embed = wants_embed(request.url.path, query)
    context = {"datasets": datasets, "lessons": lessons_as_dicts(), "embed": embed,
               "full_url": "/" + without_embed(query) if embed else None}  # fmt: skip
    return templates.TemplateResponse(request, "index.html", context)
