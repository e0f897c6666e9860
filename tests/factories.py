"""factory-boy factories for the models tests build on."""

import datetime as dt
import hashlib

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from prospects.models import Company, Page, PageView, Visitor


def stable_hash(text: str) -> int:
    """A 63-bit hash that is the same in every process (Python's hash() is salted)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big") >> 1


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            # The roles' groups come from a data migration, which an earlier transactional
            # test's flush empties (post_migrate brings back content types, not groups).
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])
            if extracted == "admin":
                self.is_staff = True
                self.save(update_fields=["is_staff"])


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    domain = factory.Sequence(lambda n: f"company{n}.com")


class VisitorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visitor

    ip = factory.Sequence(lambda n: f"198.51.{(n // 250) % 250}.{n % 250 + 1}")
    user_agent = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
    )
    ua_hash = factory.LazyAttribute(lambda v: stable_hash(v.user_agent))


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Page
        django_get_or_create = ("path",)

    path = factory.Sequence(lambda n: f"/blog/post-{n}")
    category = "blog"
    funnel_stage = "education"


class PageViewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PageView

    visitor = factory.SubFactory(VisitorFactory)
    page = factory.SubFactory(PageFactory)
    ts = factory.Sequence(
        lambda n: dt.datetime(2026, 3, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=n)
    )
    status = 200
    line_hash = factory.Sequence(lambda n: stable_hash(f"pageview-{n}"))
