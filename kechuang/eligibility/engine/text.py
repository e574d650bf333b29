"""An assessment in plain Chinese, as the command line and the self-check page summarise it."""

from __future__ import annotations

from kechuang.eligibility.engine.result import Assessment

MARK = {True: "✓", False: "✗", None: "？"}


def headline(result: Assessment) -> str:
    """Return the one-line verdict, e.g. "科技型中小企业评价：符合（88 分）"."""
    score = f"（{result.score} 分）" if result.score is not None else ""
    if result.eligible is None and result.expert_inputs:
        return f"{result.label}：待定{score}，需专家补充评分项"
    if result.eligible is None and result.missing:
        return f"{result.label}：待定{score}，缺少数据"
    return f"{result.label}：{result.verdict_text}{score}"


def describe(result: Assessment) -> str:
    """Return the assessment as lines of text: verdict, points, every check, shortfalls and hints."""
    lines = [headline(result), f"规则版本 {result.rules_version}，评估日期 {result.as_of.isoformat()}"]
    if result.components:
        lines.append("得分：" + "；".join(
            f"{c.label} {c.points if c.points is not None else '（数据缺失）'}/{c.maximum}" for c in result.components))
    for key, value in result.outputs.items():
        lines.append(f"{key}：{value}")
    lines.append("条件：")
    for check in result.checks:
        role = "（可选途径）" if check.role == "route" else ""
        lines.append(f"  {MARK[check.passed]} {check.label}{role}：{check.actual_text}，要求 {check.required or '—'}"
                     f"　[{check.source}]")
    if result.shortfalls:
        lines.append("差距：")
        lines += [f"  · {s.message}" for s in result.shortfalls]
    if result.hints:
        lines.append("提升建议：")
        lines += [f"  · {h.message}" for h in result.hints]
    if result.expert_inputs:
        lines.append("需专家评定：" + "、".join(result.expert_inputs))
    if result.missing:
        lines.append("缺少数据：" + "、".join(result.missing))
    return "\n".join(lines)
