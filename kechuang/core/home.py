"""The home dashboard (工作台): the widgets the user's roles may see, each over the user's scope only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kechuang.core.dashboard import widgets_for
from kechuang.core.policy import AUTHENTICATED, policy


@policy(AUTHENTICATED)
def home(request: HttpRequest) -> HttpResponse:
    cards = [{"widget": w, "context": w.get_context(request)} for w in widgets_for(request.user)]
    return render(request, "core/home.html", {"cards": cards})
