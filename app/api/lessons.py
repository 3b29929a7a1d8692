"""GET /api/lessons: every lesson with its complete config and the epochs it runs, so that a
script can reproduce any of them (the page embeds the same list, in its language)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.api.language import LANG_PATTERN
from app.i18n import DEFAULT
from app.lessons import lessons_as_dicts

router = APIRouter(prefix="/api/lessons", tags=["lessons"])


class LessonInfo(BaseModel):
    id: str
    number: int = Field(description="its place in the menu: the page opens it as ?lesson=N")
    title: str
    text: str = Field(description="HTML: the explanation the page shows beside the plot")
    config: dict[str, Any] = Field(description="complete: every field, defaults filled in")
    epochs: int = Field(description="the epochs the lesson runs (POST /api/train with them)")
    page: dict[str, Any] = Field(description="the page's speed and view for the lesson")


@router.get("", response_model=list[LessonInfo])
async def list_lessons(
    lang: Annotated[str, Query(pattern=LANG_PATTERN, description="the language of titles and texts")] = DEFAULT,
) -> list[dict[str, Any]]:
    return lessons_as_dicts(lang)
