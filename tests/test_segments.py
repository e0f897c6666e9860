"""Behaviour segments: planted kinds are found and named, renames survive, the page and filter."""

import datetime as dt
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone
from sklearn.metrics import adjusted_rand_score

from prospects import pipeline
from prospects.models import CompanySegment, Segment, Visitor, VisitorSegment
from tests.crm_fixtures import scored_company
from tests.segment_population import planted_population

pytestmark = pytest.mark.django_db


def _segment_of_kind(kinds: dict) -> dict[str, Segment]:
    """The segment holding most visitors of each planted kind."""
    links = dict(VisitorSegment.objects.values_list("visitor_id", "segment_id"))
    segments = Segment.objects.in_bulk()
    return {
        kind: segments[
            Counter(links[v] for v, k in kinds.items() if k == kind).most_common(1)[0][0]
        ]
        for kind in set(kinds.values())
    }


def test_planted_kinds_are_recovered_and_k_is_chosen_right():
    kinds = planted_population(400, seed=1)
    run = pipeline.segment()
    links = dict(VisitorSegment.objects.values_list("visitor_id", "segment_id"))
    ids = sorted(kinds)
    assert run.k == 4
    assert set(run.bic) == {str(k) for k in range(2, 9)}
    assert min(run.bic, key=run.bic.get) == "4"
    assert adjusted_rand_score([kinds[i] for i in ids], [links[i] for i in ids]) > 0.95
    assert Segment.objects.active().count() == 4


def test_names_reflect_the_planted_traits():
    kinds = planted_population(400, seed=2)
    pipeline.segment()
    names = {kind: s.name for kind, s in _segment_of_kind(kinds).items()}
    assert names["evaluator"].startswith("evaluators: ")
    assert "pricing" in names["evaluator"] and "docs" in names["evaluator"]
    assert names["blog_reader"] == "blog readers"
    assert names["job_seeker"] == "job seekers"
    assert names["product_only"] == "product-only"
    typical = _segment_of_kind(kinds)["job_seeker"].typical_content
    assert typical[0] == ["Jobs", 1.0]


def test_rerun_on_the_same_data_changes_nothing():
    planted_population(200, seed=3)
    pipeline.segment()
    before = list(Segment.objects.active().values_list("pk", "auto_name", "size"))
    pipeline.segment()
    assert list(Segment.objects.active().values_list("pk", "auto_name", "size")) == before
    assert not Segment.objects.filter(active=False).exists()


def test_a_rename_survives_reclustering_with_new_visitors(admin_user):
    from prospects.segments.services import rename_segment

    kinds = planted_population(300, seed=4)
    pipeline.segment()
    evaluators = _segment_of_kind(kinds)["evaluator"]
    rename_segment(segment=evaluators, name="  Hot   evaluators ", user=admin_user)
    # A second wave of visitors of the same kinds, later: the clusters move a little.
    later = timezone.now() - dt.timedelta(days=5)
    kinds.update(planted_population(120, seed=5, start=later))
    pipeline.segment()
    again = _segment_of_kind(kinds)["evaluator"]
    assert again.pk == evaluators.pk
    assert again.name == "Hot evaluators"
    assert again.auto_name.startswith("evaluators: ")
    assert again.size > evaluators.size


def test_conversion_within_the_horizon_counts_visitors_seen_a_horizon_ago(settings):
    settings.LEADGEN_SCORE_HORIZON_DAYS = 30
    start = timezone.now() - dt.timedelta(days=90)
    kinds = planted_population(200, seed=6, start=start)
    evaluators = [v for v, k in kinds.items() if k == "evaluator"]
    late, early = evaluators[:5], evaluators[5:15]
    for visitor in Visitor.objects.filter(pk__in=early):
        Visitor.objects.filter(pk=visitor.pk).update(converted_at=visitor.last_seen)
    for visitor in Visitor.objects.filter(pk__in=late):
        # Converted, but long after the horizon from the first visit: not counted.
        Visitor.objects.filter(pk=visitor.pk).update(
            converted_at=visitor.first_seen + dt.timedelta(days=45)
        )
    pipeline.segment()
    segment = _segment_of_kind(kinds)["evaluator"]
    assert segment.observed == 50
    assert segment.converted == 10
    assert _segment_of_kind(kinds)["job_seeker"].converted == 0


def test_companies_take_their_visitors_segment_and_the_queue_filters_by_it(client, researcher):
    companies = [scored_company(0.9, name=f"Kind {i} Ltd") for i in range(4)]
    kinds = planted_population(200, seed=7, companies=companies)
    pipeline.segment()
    by_kind = _segment_of_kind(kinds)
    job_company = companies[list(kinds.values()).index("job_seeker")]
    assert CompanySegment.objects.get(company=job_company).segment == by_kind["job_seeker"]
    client.force_login(researcher)
    page = client.get(reverse("queue"), {"segment": by_kind["job_seeker"].pk}).content.decode()
    assert job_company.name in page
    assert all(c.name not in page for c in companies if c != job_company)
    company_page = client.get(reverse("company", args=[job_company.pk])).content.decode()
    assert 'id="company-segment"' in company_page and "segment: job seekers" in company_page


def test_segments_page_shows_each_segment_to_the_team(client, researcher, rep):
    planted_population(200, seed=8)
    pipeline.segment()
    for user in (researcher, rep):
        client.force_login(user)
        page = client.get(reverse("segments")).content.decode()
        assert "job seekers" in page and "product-only" in page
        assert "Rename" not in page
        assert (
            client.post(reverse("segment_rename", args=[Segment.objects.first().pk])).status_code
            == 403
        )


def test_only_admins_rename_and_names_are_escaped(client, admin_user):
    planted_population(200, seed=9)
    pipeline.segment()
    segment = Segment.objects.active().first()
    client.force_login(admin_user)
    url = reverse("segment_rename", args=[segment.pk])
    client.post(url, {"name": "<script>alert(1)</script>"})
    page = client.get(reverse("segments")).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    response = client.post(url, {"name": "x" * 81}, follow=True)
    assert "at most 80 characters" in response.content.decode()
    client.post(url, {"name": ""})
    segment.refresh_from_db()
    assert segment.custom_name == "" and segment.name == segment.auto_name


def test_too_few_visitors_make_no_segments(client, researcher):
    planted_population(12, seed=10)
    assert pipeline.segment() is None
    client.force_login(researcher)
    assert "No segments yet" in client.get(reverse("segments")).content.decode()
