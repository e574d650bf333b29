"""URLs of the local-programme admin pages (地方培育项目), included by ``kechuang/eligibility/urls.py``.

No ``app_name`` here: the names live in the ``eligibility`` namespace (``eligibility:localprogrammeversion_list``),
as the generic views expect (``<app_label>:<model_name>_<suffix>``).
"""

from django.urls import path

from kechuang.eligibility import views_local as views

urlpatterns = [
    path("", views.LocalProgrammeVersionListView.as_view(), name="localprogrammeversion_list"),
    path("add/", views.LocalProgrammeVersionCreateView.as_view(), name="localprogrammeversion_add"),
    path("<int:pk>/", views.LocalProgrammeVersionDetailView.as_view(), name="localprogrammeversion_detail"),
]
