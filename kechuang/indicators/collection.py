"""Collection rounds (数据采集): the organiser asks each region under it for its reported figures by a deadline;
a region saves a draft, submits (报送); the organiser accepts (通过, the figures become indicator values) or
returns it (退回) with a reason. Each level reviews its children, so street → district → city is two rounds.

Validation at submission: every requested figure present and numeric, in range for its unit, and a change of
more than the round's threshold against the same period of last year needs a written explanation (变动说明).
Nothing is accepted or changed after the round is closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.audit.changelog import record_event
from kechuang.core.permissions import region_in_scope
from kechuang.indicators.choices import IndicatorKind, RoundStatus, SubmissionStatus, ValueOrigin
from kechuang.indicators.models import CollectionRound, IndicatorValue, Submission, SubmissionItem
from kechuang.indicators.periods import period_label
from kechuang.indicators.services import check_reported_value, enter_value, parse_figure
from kechuang.regions.models import Region


def _check_open(collection_round: CollectionRound) -> None:
    if collection_round.status != RoundStatus.OPEN:
        raise ValidationError(f"采集轮次“{collection_round.name}”已关闭，不能再报送或修改。")


def open_round(*, name: str, region: Region, year: int, period: str, indicators: list[Any], deadline: date,
               actor: Any, change_threshold: Decimal = Decimal("0.30")) -> CollectionRound:
    """Open a round for the children of `region` (one empty submission each)."""
    if not region_in_scope(actor, CollectionRound, region, "add"):
        raise PermissionDenied(f"区域“{region.name}”不在您的管辖范围内。")
    not_reported = [i.name for i in indicators if i.kind != IndicatorKind.REPORTED]
    if not_reported:
        raise ValidationError(f"以下指标由平台生成，不能采集：{'、'.join(not_reported)}。")
    if not indicators:
        raise ValidationError("请至少选择一个采集指标。")
    with transaction.atomic():
        collection_round = CollectionRound(name=name, region=region, year=year, period=period, deadline=deadline,
                                           change_threshold=change_threshold)
        collection_round.full_clean()
        collection_round.save()
        collection_round.indicators.set(indicators)
        for child in Region.objects.children_of(region.code).order_by("code"):
            Submission(collection_round=collection_round, region=child).save()
        record_event("indicators.collection.opened", obj=collection_round, actor=actor,
                     message=f"发起采集：{name}", data={"indicators": [i.code for i in indicators]})
    return collection_round


def previous_figures(submission: Submission) -> dict[int, Decimal]:
    """The region's figures of the same period last year, by indicator id (the base of the change check)."""
    collection_round = submission.collection_round
    rows = IndicatorValue.objects.filter(region=submission.region, year=collection_round.year - 1,
                                         period=collection_round.period,
                                         indicator__in=collection_round.indicators.all())
    return dict(rows.values_list("indicator_id", "value"))


def save_draft(submission: Submission, figures: Mapping[int, Any], explanations: Mapping[int, str], *,
               actor: Any) -> list[SubmissionItem]:
    """Store the figures typed so far (草稿); each must be a number in range. Returns the items."""
    _check_submitter(submission, actor)
    _check_open(submission.collection_round)
    if submission.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED):
        raise ValidationError("已报送的数据不能修改；如需更正请由审核人退回。")
    indicators = {i.pk: i for i in submission.collection_round.indicators.all()}
    errors: dict[str, str] = {}
    parsed: dict[int, Decimal] = {}
    for indicator_id, raw in figures.items():
        indicator = indicators.get(int(indicator_id))
        if indicator is None:
            raise ValidationError("报送了本轮未要求的指标。")
        if raw in (None, ""):
            continue
        try:
            value = parse_figure(raw, indicator.name)
            check_reported_value(indicator, value)
            parsed[indicator.pk] = value
        except ValidationError as error:
            errors[indicator.code] = "；".join(error.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        items = []
        for indicator_id, value in parsed.items():
            item = SubmissionItem.objects.filter(submission=submission, indicator_id=indicator_id).first() \
                or SubmissionItem(submission=submission, indicator_id=indicator_id)
            item.value, item.explanation = value, (explanations.get(indicator_id) or "").strip()[:300]
            item.save()
            items.append(item)
    return items


def submission_problems(submission: Submission) -> list[str]:
    """What stops a submission from being sent: missing figures, large changes without an explanation."""
    collection_round = submission.collection_round
    items = {item.indicator_id: item for item in submission.items.all()}
    previous = previous_figures(submission)
    problems = []
    for indicator in collection_round.indicators.all():
        item = items.get(indicator.pk)
        if item is None:
            problems.append(f"“{indicator.name}”未填写。")
            continue
        base = previous.get(indicator.pk)
        if base and not item.explanation:
            ratio = abs(item.value / base - 1)
            if ratio > collection_round.change_threshold:
                problems.append(f"“{indicator.name}”与上年同期（{base.normalize():f}）相比变动 "
                                f"{(ratio * 100).quantize(Decimal('0.1'))}%，超过 "
                                f"{(collection_round.change_threshold * 100).normalize():f}%，须填写变动说明。")
    return problems


def submit(submission: Submission, *, actor: Any) -> Submission:
    """报送: draft or returned → submitted, when every figure is present and explained."""
    _check_submitter(submission, actor)
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        _check_open(submission.collection_round)
        if submission.status not in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED):
            raise ValidationError(f"当前状态为“{submission.get_status_display()}”，不能报送。")
        problems = submission_problems(submission)
        if problems:
            raise ValidationError(problems)
        submission.status, submission.submitted_at = SubmissionStatus.SUBMITTED, timezone.now()
        submission.submitted_by = actor
        submission.save()
        record_event("indicators.collection.submitted", obj=submission, actor=actor, message="报送数据")
    return submission


def review(submission: Submission, *, accept: bool, note: str = "", actor: Any) -> Submission:
    """审核: accept (the figures become the region's indicator values) or return with a reason."""
    _check_reviewer(submission, actor)
    if not accept and not note.strip():
        raise ValidationError("退回时必须填写审核意见。")
    with transaction.atomic():
        submission = Submission.objects.select_for_update().select_related(
            "collection_round", "region").get(pk=submission.pk)
        collection_round = submission.collection_round
        _check_open(collection_round)
        if submission.status != SubmissionStatus.SUBMITTED:
            raise ValidationError(f"当前状态为“{submission.get_status_display()}”，不能审核。")
        submission.status = SubmissionStatus.ACCEPTED if accept else SubmissionStatus.RETURNED
        submission.reviewed_at, submission.reviewed_by, submission.review_note = timezone.now(), actor, note.strip()
        submission.save()
        if accept:
            for item in submission.items.select_related("indicator"):
                enter_value(indicator=item.indicator, region=submission.region, year=collection_round.year,
                            period=collection_round.period, value=item.value, actor=actor,
                            note=item.explanation, origin=ValueOrigin.COLLECTED,
                            collection_round=collection_round, check_scope=False)
        record_event("indicators.collection." + ("accepted" if accept else "returned"), obj=submission,
                     actor=actor, message=("通过" if accept else "退回") + f"：{note}".rstrip("："))
    return submission


def late_submissions(collection_round: CollectionRound, *, as_of: date) -> list[Submission]:
    """Regions that have not submitted by the deadline (逾期未报)."""
    if as_of <= collection_round.deadline:
        return []
    return list(collection_round.submissions.select_related("region").filter(
        status__in=(SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)))


def remind_late(collection_round: CollectionRound, *, as_of: date, actor: Any) -> list[Submission]:
    """催报: mark every late submission as reminded and record one event each (shown on the region's pages;
    no SMS or e-mail is sent — the platform runs offline)."""
    late = late_submissions(collection_round, as_of=as_of)
    with transaction.atomic():
        for submission in late:
            submission.reminded_at = timezone.now()
            submission.save(update_fields=["reminded_at", "last_updated"])
            record_event("indicators.collection.reminded", obj=submission, actor=actor,
                         message=f"催报：{collection_round.name}（截止 {collection_round.deadline}）")
    return late


def close_round(collection_round: CollectionRound, *, actor: Any) -> CollectionRound:
    if not region_in_scope(actor, CollectionRound, collection_round.region, "change"):
        raise PermissionDenied("您无权关闭该采集轮次。")
    with transaction.atomic():
        collection_round.status = RoundStatus.CLOSED
        collection_round.save()
        record_event("indicators.collection.closed", obj=collection_round, actor=actor,
                     message=f"关闭采集：{collection_round.name}（{period_label(collection_round.year, collection_round.period)}）")
    return collection_round


def _check_submitter(submission: Submission, actor: Any) -> None:
    if not region_in_scope(actor, Submission, submission.region, "change"):
        raise PermissionDenied(f"区域“{submission.region.name}”不在您的管辖范围内。")


def _check_reviewer(submission: Submission, actor: Any) -> None:
    organiser = submission.collection_round.region
    if not region_in_scope(actor, Submission, organiser, "change"):
        raise PermissionDenied("只有发起采集的上级区域人员可以审核。")
