"""Queue filters that say what they do: percent, ISO dates, chips, "seen N times in D days",
columns, and the filters kept through the nav and the company page's breadcrumb."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from prospects.models import PageView, Segment
from tests.api_client import client_for, company_ids
from tests.crm_fixtures import scored_company

pytestmark = pytest.mark.django_db


def _rows(response) -> list[int]:
    assert response.status_code == 200, response.content[:500]
    return [int(pk) for pk in re.findall(r'data-company-id="(\d+)"', response.content.decode())]


def test_scores_are_filtered_in_percent_as_the_table_shows_them(client, researcher):
    high, low = scored_company(0.82), scored_company(0.61)
    client.force_login(researcher)
    assert _rows(client.get(reverse("queue"), {"score_min": "60"})) == [high.pk, low.pk]
    assert _rows(client.get(reverse("queue"), {"score_min": "70"})) == [high.pk]
    assert _rows(client.get(reverse("queue"), {"score_max": "70"})) == [low.pk]
    response = client.get(reverse("queue"), {"score_min": "150"})
    assert response.status_code == 400
    assert "less than or equal to 100" in response.content.decode()
    html = client.get(reverse("queue")).content.decode()
    assert "Score from (%)" in html
    assert "Companies with at least a <strong>50%</strong> chance of a trial" in html


def test_dates_are_pickers_that_take_iso_days_only(client, researcher):
    scored_company()
    client.force_login(researcher)
    html = client.get(reverse("queue")).content.decode()
    assert re.search(r'<input type="date" name="last_visit_after"', html)
    today = timezone.localdate()
    assert client.get(reverse("queue"), {"last_visit_after": today.isoformat()}).status_code == 200
    us_style = f"{today:%m/%d/%Y}"
    response = client.get(reverse("queue"), {"last_visit_after": us_style})
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()


def test_active_filters_are_chips_that_remove_themselves(client, researcher):
    scored_company(0.9)
    client.force_login(researcher)
    response = client.get(
        reverse("queue"), {"score_min": "70", "status": "new", "ordering": "-recency"}
    )
    chips = {chip.text: chip.remove_query for chip in response.context["chips"]}
    assert chips == {
        "Status: New": "score_min=70&ordering=-recency",
        "Score from (%): 70%": "status=new&ordering=-recency",
        "Sort by: Last visit (descending)": "score_min=70&status=new",
    }
    html = response.content.decode()
    assert 'aria-label="Remove filter Status: New"' in html
    # Removing the last chip opens the unfiltered queue, not the person's default view.
    only = client.get(reverse("queue"), {"status": "new"}).context["chips"]
    assert [chip.remove_query for chip in only] == ["clear=1"]


def test_content_seen_at_least_n_times_in_the_last_d_days(client, researcher):
    views = [("/pricing", "pricing", "differentiation")]
    once = scored_company(0.9, views=views)
    thrice = scored_company(0.8, views=views * 3)
    old_fan = scored_company(0.7, views=views * 4)
    PageView.objects.filter(visitor__company=old_fan).update(
        ts=timezone.now() - dt.timedelta(days=40)
    )
    client.force_login(researcher)
    any_view = {"category": "pricing"}
    assert _rows(client.get(reverse("queue"), any_view)) == [once.pk, thrice.pk, old_fan.pk]
    three = {"category": "pricing", "seen_times": "3"}
    assert _rows(client.get(reverse("queue"), three)) == [thrice.pk, old_fan.pk]
    recent = {"category": "pricing", "seen_times": "3", "seen_days": "30"}
    response = client.get(reverse("queue"), recent)
    assert _rows(response) == [thrice.pk]
    assert [chip.text for chip in response.context["chips"]] == [
        "Content seen: Pricing at least 3 times in the last 30 days"
    ]
    assert company_ids(client_for(researcher).get("/api/queue/", recent)) == [thrice.pk]


def test_the_nav_and_the_breadcrumb_come_back_to_the_filters(client, researcher):
    company = scored_company(0.9)
    client.force_login(researcher)
    client.get(reverse("queue"), {"score_min": "70", "page": "1"})
    back = f"{reverse('queue')}?score_min=70"
    page = client.get(reverse("company", args=[company.pk])).content.decode()
    assert f'<p class="crumbs"><a href="{back}">Queue</a>' in page
    nav = page.split('class="mainnav"')[1].split("</nav>")[0]
    assert f'href="{back}"' in nav
    # A refused filter is not kept: the links still lead to the last good ones.
    client.get(reverse("queue"), {"score_min": "lots"})
    assert f'href="{back}"' in client.get(reverse("my_work")).content.decode()


def test_columns_can_be_chosen(client, researcher):
    scored_company(0.9)
    client.force_login(researcher)
    html = client.get(reverse("queue"), {"cols": ["score", "status"]}).content.decode()
    table = html.split('<table class="grid queue">')[1].split("</thead>")[0]
    assert "Chance" in table and "Status" in table and "Why" not in table
    assert "Visitors" not in table
    everything = client.get(reverse("queue")).content.decode()
    assert "<th>Why</th>" in everything


def test_the_filter_form_shows_the_chosen_values_back_and_names_as_text(client, researcher):
    segment = Segment.objects.create(
        auto_name="blog readers", custom_name="<b>Builders</b>", clustered_at=timezone.now()
    )
    client.force_login(researcher)
    query = {"status": "new", "category": "pricing", "assignee": "me", "segment": segment.pk}
    page = client.get(reverse("queue"), query).content.decode()
    assert '<select name="status" id="id_status">' in page
    for name, value in [("status", "new"), ("category", "pricing"), ("assignee", "me")]:
        select = page.split(f'<select name="{name}"')[1].split("</select>")[0]
        assert f'<option value="{value}" selected>' in select
        assert select.count(" selected>") == 1
    segments = page.split('<select name="segment"')[1].split("</select>")[0]
    assert f'<option value="{segment.pk}" selected>&lt;b&gt;Builders&lt;/b&gt;</option>' in segments
    assert '<option value="">Any</option>' in segments
