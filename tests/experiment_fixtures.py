"""Builders for the experiment tests: many scored companies at once, a started holdout."""

from django.utils import timezone

from prospects.experiments import services
from prospects.models import Company, Visitor
from scoring.models import CompanyScore
from tests.crm_fixtures import model_version
from tests.factories import stable_hash


def scored_companies(n: int, *, probability=0.8, prefix="bulk") -> list[Company]:
    """n companies, each with one eligible visitor and a score, written in bulk."""
    companies = Company.objects.bulk_create(
        [Company(name=f"{prefix} {i:05d}", domain=f"{prefix}{i:05d}.example") for i in range(n)]
    )
    seen = timezone.now()
    agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"
    visitors = Visitor.objects.bulk_create(
        [
            Visitor(
                ip=f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}",
                user_agent=agent,
                ua_hash=stable_hash(f"{prefix}-{agent}"),
                first_seen=seen,
                last_seen=seen,
                company=company,
            )
            for i, company in enumerate(companies)
        ]
    )
    version = model_version()
    CompanyScore.objects.bulk_create(
        [
            CompanyScore(
                company=company,
                model_version=version,
                probability=probability(i) if callable(probability) else probability,
                visitor_count=1,
                top_visitor=visitor,
                scored_at=seen,
            )
            for i, (company, visitor) in enumerate(zip(companies, visitors, strict=True))
        ]
    )
    return companies


def start(admin, *, share=50, name="Holdout"):
    """A running experiment with this share (percent)."""
    return services.start_experiment(name=name, share_percent=share, user=admin)
