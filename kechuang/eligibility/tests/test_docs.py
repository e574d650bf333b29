"""docs/rules/*.md are generated from the programmes; the committed pages must match a fresh rendering."""

from kechuang.eligibility.engine.docs import render, stale
from kechuang.eligibility.engine.programme import get_programme


def test_committed_rule_pages_are_current():
    assert stale() == [], "run `kechuang rules_docs` and commit docs/rules/"


def test_a_page_lists_every_fact_with_its_unit_and_every_dated_parameter():
    page = render(get_programme("tech_sme"))
    assert "| `rd_expense` | 研发费用总额 | 万元 |" in page
    assert "from **2022-01-01**" in page and "财税〔2015〕119号" in page
    assert "≥ 30% → 20" in page


def test_rules_docs_writes_pages_and_check_reports_stale_ones(tmp_path, monkeypatch):
    import pytest
    from django.core.management import CommandError, call_command

    from kechuang.eligibility.engine import docs

    monkeypatch.setattr(docs, "DOCS_DIR", tmp_path)
    monkeypatch.setattr(docs.write_all, "__defaults__", (tmp_path,))
    monkeypatch.setattr(docs.stale, "__defaults__", (tmp_path,))
    with pytest.raises(CommandError) as caught:
        call_command("rules_docs", "--check")
    assert caught.value.returncode == 1
    call_command("rules_docs")
    assert (tmp_path / "tech_sme.md").read_text(encoding="utf-8") == render(get_programme("tech_sme"))
    call_command("rules_docs", "--check")  # now current: no error
