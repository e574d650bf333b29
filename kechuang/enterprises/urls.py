from django.urls import path

from kechuang.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="enterprise_list"),
    path("export/", views.EnterpriseExportView.as_view(), name="enterprise_export"),
    path("import/", views.EnterpriseImportView.as_view(), name="enterprise_import"),
    path("years/import/", views.EnterpriseYearImportView.as_view(), name="enterpriseyear_import"),
    path("ip/import/", views.IntellectualPropertyImportView.as_view(), name="intellectualproperty_import"),
    path("qualifications/import/", views.QualificationImportView.as_view(), name="qualification_import"),
    path("qualifications/import-hnte-list/", views.HnteListImportView.as_view(), name="hnte_list_import"),
    path("add/", views.EnterpriseCreateView.as_view(), name="enterprise_add"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="enterprise_detail"),
    path("<int:pk>/edit/", views.EnterpriseEditView.as_view(), name="enterprise_edit"),
    path("years/", views.EnterpriseYearListView.as_view(), name="enterpriseyear_list"),
    path("years/export/", views.EnterpriseYearExportView.as_view(), name="enterpriseyear_export"),
    path("years/add/", views.EnterpriseYearCreateView.as_view(), name="enterpriseyear_add"),
    path("years/<int:pk>/", views.EnterpriseYearDetailView.as_view(), name="enterpriseyear_detail"),
    path("years/<int:pk>/edit/", views.EnterpriseYearEditView.as_view(), name="enterpriseyear_edit"),
    path("ip/", views.IntellectualPropertyListView.as_view(), name="intellectualproperty_list"),
    path("ip/export/", views.IntellectualPropertyExportView.as_view(), name="intellectualproperty_export"),
    path("ip/add/", views.IntellectualPropertyCreateView.as_view(), name="intellectualproperty_add"),
    path("ip/<int:pk>/", views.IntellectualPropertyDetailView.as_view(), name="intellectualproperty_detail"),
    path("ip/<int:pk>/edit/", views.IntellectualPropertyEditView.as_view(), name="intellectualproperty_edit"),
    path("qualifications/", views.QualificationListView.as_view(), name="qualification_list"),
    path("qualifications/export/", views.QualificationExportView.as_view(), name="qualification_export"),
    path("qualifications/add/", views.QualificationCreateView.as_view(), name="qualification_add"),
    path("qualifications/<int:pk>/", views.QualificationDetailView.as_view(), name="qualification_detail"),
    path("qualifications/<int:pk>/edit/", views.QualificationEditView.as_view(), name="qualification_edit"),
    path("qualification-kinds/", views.QualificationKindListView.as_view(), name="qualificationkind_list"),
    path("rerecognition-due/", views.RerecognitionDueListView.as_view(), name="rerecognition_due"),
    path("rerecognition-due/export/", views.RerecognitionDueExportView.as_view(),
         name="rerecognition_due_export"),
]
