"""统一社会信用代码 (unified social credit code, GB 32100-2015) and its embedded organisation code (GB 11714-1997).

An 18-character code: registration authority (1), organisation category (1), administrative division (6),
organisation code (9, itself ending in a GB 11714 check character), and a check character over the first 17.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

# GB 32100-2015 §4.2: the 31 characters in use (no I, O, Z, S, V) and the weights of positions 1–17.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11714-1997 §5: weights of the 8 body characters of the organisation code; letters count A=10 … Z=35.
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters (which must be in CHARSET)."""
    total = sum(CHARSET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def org_check_char(body8: str) -> str:
    """Return the GB 11714 check character for the 8 body characters of an organisation code."""
    total = sum(int(ch, 36) * w for ch, w in zip(body8, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


@dataclass(frozen=True)
class UsccProblem:
    """Why a code is invalid: a Chinese message, the 1-based position at fault (0: the whole code), and the
    character expected there when a check character is wrong."""

    message: str
    position: int = 0
    expected: str = ""


def uscc_problem(code: str) -> UsccProblem | None:
    """Return what is wrong with `code`, or None when it is a valid unified social credit code."""
    if len(code) != 18:
        return UsccProblem(f"统一社会信用代码应为 18 位，实际为 {len(code)} 位。")
    for position, ch in enumerate(code, start=1):
        if ch not in CHARSET:
            return UsccProblem(f"第 {position} 位“{ch}”不是统一社会信用代码允许的字符（不使用 I、O、Z、S、V）。",
                               position)
    expected = uscc_check_char(code[:17])
    org_expected = org_check_char(code[8:16])
    if code[16] != org_expected:
        return UsccProblem(f"第 17 位（组织机构代码校验码）应为“{org_expected}”，实际为“{code[16]}”。", 17,
                           org_expected)
    if code[17] != expected:
        return UsccProblem(f"第 18 位（校验码）应为“{expected}”，实际为“{code[17]}”。", 18, expected)
    return None


def normalize_uscc(value: str) -> str:
    """Return `value` stripped and upper-cased (full-width characters folded to ASCII)."""
    folded = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in str(value))
    return folded.strip().upper()


def validate_uscc(value: str) -> None:
    """Django validator: raise ValidationError naming the wrong character of an invalid code."""
    problem = uscc_problem(normalize_uscc(value))
    if problem is not None:
        raise ValidationError(problem.message, code="invalid_uscc")
