"""Django admin shows derived records but offers no way to add, edit or delete them.

Model versions, scores, status changes, thresholds, training runs and imports are written by
their services; a superuser browsing Django admin must not bypass them.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from prospects.models import IdentificationOverride, LogImport, StatusChange, ThresholdChange
from scoring.models import CompanyScore, ModelVersion, TrainingRun, VisitorScore
from tests.crm_fixtures import scored_company
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DERIVED = [
    ModelVersion,
    VisitorScore,
    CompanyScore,
    TrainingRun,
    StatusChange,
    ThresholdChange,
    LogImport,
]


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def records():
    company = scored_company()
    version = ModelVersion.objects.get()
    return {
        ModelVersion: version,
        VisitorScore: VisitorScore.objects.create(
            visitor=company.visitors.get(),
            model_version=version,
            probability=0.5,
            scored_at=timezone.now(),
        ),
        CompanyScore: CompanyScore.objects.get(company=company),
        TrainingRun: TrainingRun.objects.create(requested_by="ada", message="ok"),
        StatusChange: StatusChange.objects.create(
            company=company, from_status="new", to_status="researching"
        ),
        ThresholdChange: ThresholdChange.objects.first(),
        LogImport: LogImport.objects.create(name="access.log", content_hash="abc"),
    }


def _admin_url(model, action, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{action}", args=args)


@pytest.mark.parametrize("model", DERIVED, ids=lambda m: m.__name__)
def test_derived_records_can_be_read_but_not_added_changed_or_deleted(
    superuser_client, records, model
):
    record = records[model]
    before = model.objects.count()

    listing = superuser_client.get(_admin_url(model, "changelist"))
    shown = superuser_client.get(_admin_url(model, "change", record.pk))

    assert listing.status_code == 200
    assert _admin_url(model, "add") not in listing.content.decode()
    assert shown.status_code == 200
    assert 'name="_save"' not in shown.content.decode()
    assert superuser_client.get(_admin_url(model, "add")).status_code == 403
    assert (
        superuser_client.post(_admin_url(model, "delete", record.pk), {"post": "yes"}).status_code
        == 403
    )
    assert model.objects.count() == before


def test_the_admin_index_offers_no_add_link_for_derived_records(superuser_client, records):
    html = superuser_client.get(reverse("admin:index")).content.decode()
    for model in DERIVED:
        assert _admin_url(model, "add") not in html
    # Overrides are a person's word, not derived: they can still be added (through the service).
    assert _admin_url(IdentificationOverride, "add") in html
