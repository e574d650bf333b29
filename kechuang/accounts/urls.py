from django.urls import path

from kechuang.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("password/", views.password_change_view, name="password_change"),
    path("logout/", views.logout_view, name="logout"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/export/", views.UserExportView.as_view(), name="user_export"),
    path("users/add/", views.UserCreateView.as_view(), name="user_add"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", views.UserEditView.as_view(), name="user_edit"),
    path("roles/", views.RoleAssignmentListView.as_view(), name="roleassignment_list"),
    path("roles/add/", views.RoleAssignmentCreateView.as_view(), name="roleassignment_add"),
    path("roles/<int:pk>/", views.RoleAssignmentDetailView.as_view(), name="roleassignment_detail"),
    path("roles/<int:pk>/edit/", views.RoleAssignmentEditView.as_view(), name="roleassignment_edit"),
    path("roles/<int:pk>/delete/", views.RoleAssignmentDeleteView.as_view(), name="roleassignment_delete"),
]
