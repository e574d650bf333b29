"""Masking of personal information on display and in the change log (SECURITY.md H2; GB/T 35273-2020 §7.2).

The formats (phone 3+4, ID number first 6 + last 4) are conventions the bureau's data-security policy must
confirm; they are not numbers from the standard.
"""

from __future__ import annotations

MASK = "*"


def mask_phone(value: str | None) -> str:
    """Return a mobile number as `138****5678`; other lengths keep only their last 4 characters."""
    if not value:
        return ""
    text = str(value)
    if len(text) == 11:
        return text[:3] + MASK * 4 + text[-4:]
    return MASK * max(len(text) - 4, 0) + text[-4:]


def mask_id_number(value: str | None) -> str:
    """Return an identity number (GB 11643) as first 6 + `*` + last 4, keeping the length."""
    if not value:
        return ""
    text = str(value)
    if len(text) <= 10:
        return MASK * len(text)
    return text[:6] + MASK * (len(text) - 10) + text[-4:]


def mask_name(value: str | None) -> str:
    """Return a person's name with all but the first character masked (张** )."""
    if not value:
        return ""
    text = str(value)
    return text[0] + MASK * (len(text) - 1)


def mask_secret(value: object) -> str:
    """Return a fixed placeholder: secrets (password hashes, tokens) never reach the change log."""
    return "******" if value else ""


MASKERS = {"phone": mask_phone, "id_number": mask_id_number, "name": mask_name, "secret": mask_secret}


def mask(kind: str, value: object) -> str:
    """Return `value` masked with the masker named `kind`."""
    return MASKERS[kind](value)  # type: ignore[arg-type]
