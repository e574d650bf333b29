"""`kechuang create_api_token USERNAME NAME [--days N]`: issue a personal API token (shown once)."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kechuang.accounts.models import ApiToken, User
from kechuang.core.context import acting_as


class Command(BaseCommand):
    help = "为用户签发个人 API 令牌（令牌只显示一次，数据库只保存其摘要）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="令牌用途，如“统计局数据对接”")
        parser.add_argument("--days", type=int, default=90, help="有效天数（默认 90）")

    def handle(self, *args, **options):
        user = User.objects.filter(username__iexact=options["username"]).first()
        if user is None:
            raise CommandError(f"用户“{options['username']}”不存在。")
        if options["days"] <= 0:
            raise CommandError("有效天数必须为正整数。")
        with acting_as(None, channel="command"):
            token, raw = ApiToken.issue(user, options["name"],
                                        expires=timezone.now() + timedelta(days=options["days"]))
        self.stdout.write(raw)
        self.stderr.write(f"已为 {user.username} 签发令牌 {token.key_prefix}…，{options['days']} 天后过期。请妥善保存，它不会再次显示。")
