"""Forms of the local-programme admin pages (地方培育项目): a new dated version, and a trial assessment.

The definition is checked by the validator the shipped ``local/*.yaml`` files go through (``engine/local.py``),
together with the code's earlier versions, so what the form accepts is exactly what the engine will run.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.eligibility.engine.local import (
    CODE_PATTERN,
    DefinitionError,
    LocalDefinition,
    definition_from_rows,
    parse_body,
    reserved_codes,
)
from kechuang.eligibility.models import LocalProgrammeVersion

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_DEFINITION = 20_000  # characters; a programme's conditions fit in far less
CODE_AREA = {"class": "form-control font-monospace", "spellcheck": "false"}
DEFINITION_EXAMPLE = """all:
  - {type: qualification_held, kind: tsme}
  - {type: age, le: 5}
  - {type: ratio, numerator: rd_expense, denominator: sales_revenue, ge: 0.03}"""


def parse_facts_json(text: str) -> dict[str, Any]:
    """Return the facts a JSON object gives (numbers read exactly); raise ValidationError in Chinese."""
    try:
        facts = json.loads(text or "{}", parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise forms.ValidationError(_("事实不是有效的 JSON（第 %(line)s 行第 %(col)s 列）：%(msg)s"),
                                    params={"line": exc.lineno, "col": exc.colno, "msg": exc.msg}) from None
    if not isinstance(facts, dict):
        raise forms.ValidationError(_("事实应为 JSON 对象，例如 {\"sales_revenue\": 2500}。"))
    return facts


class LocalProgrammeVersionForm(forms.ModelForm):
    """新增地方培育项目版本: code, label, date, source and region as fields; the conditions as YAML.

    Optional trial facts let the officer try the definition before saving (the "试算" button).
    """

    try_facts = forms.CharField(label=_("试算事实（JSON，可选）"), required=False,
                                widget=forms.Textarea(attrs={**CODE_AREA, "rows": 6}),
                                help_text=_("例如 {\"sales_revenue\": 2500, \"rd_expense\": 120}；不保存。"))
    try_as_of = forms.DateField(label=_("试算日期"), required=False, widget=DATE_INPUT)

    class Meta:
        model = LocalProgrammeVersion
        fields = ("code", "label", "effective_from", "source", "region", "definition")
        widgets = {"effective_from": DATE_INPUT,
                   "definition": forms.Textarea(attrs={**CODE_AREA, "rows": 22, "placeholder": DEFINITION_EXAMPLE})}
        help_texts = {
            "code": _("小写字母开头，只含小写字母、数字和下划线，如 xuri_xuanwu；同一项目的各版本用同一代码。"),
            "effective_from": _("本版本自该日起施行；规则变化时新增一个更晚的版本，旧版本保留以便回溯。"),
            "source": _("文件名称与条款，如《玄武区旭日计划实施办法》第三条。"),
            "definition": _("以 all:（全部满足）或 any:（任一满足）开头，条件取自下方条件类型库。"),
        }

    definition_result: LocalDefinition | None = None

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not CODE_PATTERN.match(code):
            raise forms.ValidationError(_("项目代码应以小写字母开头，只含小写字母、数字和下划线（2–64 位）。"))
        if code in reserved_codes():
            raise forms.ValidationError(_("“%(code)s”是内置或随系统发布的项目代码，不能在此修改；请使用本地区自己的代码。"),
                                        params={"code": code})
        return code

    def clean_definition(self) -> str:
        text = self.cleaned_data["definition"]
        if len(text) > MAX_DEFINITION:
            raise forms.ValidationError(_("规则定义过长（最多 %(n)s 个字符）。"), params={"n": MAX_DEFINITION})
        return text

    def clean_try_facts(self) -> dict[str, Any]:
        return parse_facts_json(self.cleaned_data.get("try_facts") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        code, region = data.get("code"), data.get("region")
        if code and region and self._owned_elsewhere(code, region):
            self.add_error("code", _("项目代码“%(code)s”已由其他区域使用，请换一个代码。") % {"code": code})
        if code and data.get("effective_from") and data.get("definition"):
            self._check_definition(code, data)
        return data

    def _owned_elsewhere(self, code: str, region: Any) -> bool:
        return LocalProgrammeVersion._base_manager.filter(code=code).exclude(region=region).exists()

    def _check_definition(self, code: str, data: dict[str, Any]) -> None:
        """Validate this version together with the code's other versions, as the engine will read them."""
        start = data["effective_from"]
        try:
            parse_body(data["definition"], start=start, source=data.get("source") or "", label=data.get("label") or "")
        except DefinitionError as exc:
            for problem in exc.problems:
                self.add_error("definition", problem)
            return
        earlier = [row for row in LocalProgrammeVersion._base_manager.filter(code=code).exclude(effective_from=start)
                   .values_list("effective_from", "label", "source", "definition")]
        rows = [*earlier, (start, data.get("label") or code, data.get("source") or "", data["definition"])]
        try:
            self.definition_result = definition_from_rows(code, rows)
        except DefinitionError as exc:
            for problem in exc.problems:
                self.add_error("definition", problem)

    def trial_as_of(self) -> datetime.date:
        return self.cleaned_data.get("try_as_of") or timezone.localdate()


class LocalTryForm(forms.Form):
    """试算: assess facts (JSON) for a local programme on a date, through the engine, without saving anything."""

    facts = forms.CharField(label=_("事实（JSON）"), widget=forms.Textarea(attrs={**CODE_AREA, "rows": 8}))
    as_of = forms.DateField(label=_("评估日期"), widget=DATE_INPUT)

    def clean_facts(self) -> dict[str, Any]:
        return parse_facts_json(self.cleaned_data["facts"])
