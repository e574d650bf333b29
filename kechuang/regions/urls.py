from django.urls import path

from kechuang.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.RegionListView.as_view(), name="region_list"),
    path("export/", views.RegionExportView.as_view(), name="region_export"),
    path("add/", views.RegionCreateView.as_view(), name="region_add"),
    path("<str:pk>/", views.RegionDetailView.as_view(), name="region_detail"),
    path("<str:pk>/edit/", views.RegionEditView.as_view(), name="region_edit"),
    path("<str:pk>/delete/", views.RegionDeleteView.as_view(), name="region_delete"),
]
