"""Password rules (口令复杂度) for 等保 2.0 三级 §8.1.4.1 a), as SECURITY.md A2 sets them.

ASVS 5.0 6.2.5 forbids composition rules; 等保 is binding here, so we keep them and record the deviation in
docs/decisions/0004-password-policy.md. Minimum length 12, at least 3 of 4 character classes, maximum 128,
Django's common-password list, and a list of context words a bureau's users are likely to try.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.password_validation import UserAttributeSimilarityValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CONTEXT_WORDS = ("kechuang", "keji", "kjj", "kejiju", "bureau", "科技局", "科创", "admin", "password", "qwerty")


class CharacterClassValidator:
    """Require at least `min_classes` of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    @staticmethod
    def classes_in(password: str) -> int:
        patterns = (r"[A-Z]", r"[a-z]", r"\d", r"[^A-Za-z0-9]")
        return sum(bool(re.search(p, password)) for p in patterns)

    def validate(self, password: str, user: Any = None) -> None:
        if self.classes_in(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。") % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。") % {"n": self.min_classes}


class MaximumLengthValidator:
    """Refuse passwords longer than `max_length` (long passphrases up to it are welcome)."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(_("密码不能超过 %(n)d 个字符。") % {"n": self.max_length}, code="password_too_long")

    def get_help_text(self) -> str:
        return _("密码不能超过 %(n)d 个字符。") % {"n": self.max_length}


class ContextWordValidator:
    """Refuse passwords built on the system's or the bureau's own name (e.g. `Kjj2025kjj2025!`)."""

    def __init__(self, words: tuple[str, ...] = CONTEXT_WORDS):
        self.words = words

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower()
        if any(word in lowered for word in self.words):
            raise ValidationError(_("密码不能包含系统名称、单位名称等容易猜到的词。"), code="password_context_word")

    def get_help_text(self) -> str:
        return _("密码不能包含系统名称、单位名称等容易猜到的词。")


class ExtendedUserAttributeSimilarityValidator(UserAttributeSimilarityValidator):
    """Django's similarity check, also against the display name and the phone number."""

    DEFAULT_USER_ATTRIBUTES = ("username", "first_name", "last_name", "email", "display_name", "phone")
