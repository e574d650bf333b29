from django.urls import path

from kechuang.audit import views

app_name = "audit"
urlpatterns = [
    path("changes/", views.ObjectChangeListView.as_view(), name="objectchange_list"),
    path("changes/export/", views.ObjectChangeExportView.as_view(), name="objectchange_export"),
    path("changes/<int:pk>/", views.ObjectChangeDetailView.as_view(), name="objectchange_detail"),
    path("events/", views.DomainEventListView.as_view(), name="domainevent_list"),
    path("events/export/", views.DomainEventExportView.as_view(), name="domainevent_export"),
    path("events/<int:pk>/", views.DomainEventDetailView.as_view(), name="domainevent_detail"),
]
