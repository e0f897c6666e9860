"""Builders for the CRM tests: a scored company with an eligible visitor who read some pages."""

import datetime as dt

from django.utils import timezone

from prospects.models import Session
from scoring.models import CompanyScore, ModelVersion
from tests.factories import CompanyFactory, PageFactory, PageViewFactory, VisitorFactory


def model_version() -> ModelVersion:
    """The active model version, created on first use."""
    version = ModelVersion.objects.filter(is_active=True).first()
    if version is None:
        version = ModelVersion.objects.create(
            algorithm="logistic_regression",
            trained_by="tests",
            is_active=True,
            file_name="test.skops",
            training_size=100,
            training_positives=10,
            roc_auc=0.8,
            pr_auc=0.5,
            brier=0.1,
        )
    return version


def scored_company(probability=0.8, *, views=(("/pricing", "pricing", "differentiation"),), **kw):
    """A company with one eligible visitor, its page views and a company score."""
    company = CompanyFactory(**kw)
    seen = timezone.now() - dt.timedelta(days=1)
    visitor = VisitorFactory(company=company, first_seen=seen, last_seen=seen)
    session = Session.objects.create(
        visitor=visitor, started_at=seen, ended_at=seen, pageview_count=len(views)
    )
    for path, category, stage in views:
        page = PageFactory(path=path, category=category, funnel_stage=stage)
        PageViewFactory(visitor=visitor, session=session, page=page, ts=seen)
    CompanyScore.objects.create(
        company=company,
        model_version=model_version(),
        probability=probability,
        visitor_count=1,
        top_visitor=visitor,
        reasons=[{"text": "viewed pricing 3 times"}, {"text": "returned on 2 days"}],
        scored_at=timezone.now(),
        # The engagement summary a rescore would compute for this one visitor.
        pricing_views=sum(category == "pricing" for _, category, _ in views),
        premium_views=sum(category == "premium" for _, category, _ in views),
        last_visit=seen,
    )
    return company
