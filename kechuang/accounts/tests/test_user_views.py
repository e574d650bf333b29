from kechuang.core.testing.suites import ModelViewSuite


class TestUserViews(ModelViewSuite):
    url_prefix = "accounts:user"
    reader = "system_admin"
    outsider = "city_officer"
    writer = "system_admin"

    def in_scope(self, cast):
        return cast.district_a_officer

    def out_of_scope(self, cast):
        return None  # the system administrator sees every account

    def create_data(self, cast):
        return {"username": "new_officer", "display_name": "新科员", "organisation": "科技局", "phone": "13800138000",
                "email": "", "is_active": "on"}

    def edit_data(self, cast, obj):
        return {"username": obj.username, "display_name": "改名", "organisation": "", "phone": "", "email": "",
                "is_active": "on"}

    def export_key(self, obj):
        return obj.username
