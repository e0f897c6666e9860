"""Saved queue views: filters, sort and columns under a name, private or shared, a default."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from prospects.errors import ServiceError
from prospects.models import SavedView
from prospects.queue import saved
from tests.crm_fixtures import scored_company
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HOT = "score_min=70&ordering=-recency&cols=score&cols=status"


def test_a_view_saved_on_the_page_reopens_with_its_filters_sort_and_columns(client, researcher):
    hot, cool = scored_company(0.9, name="Hot Ltd"), scored_company(0.6, name="Cool Ltd")
    client.force_login(researcher)
    response = client.post(reverse("view_save"), {"name": "Hot ones", "query": HOT})
    view = SavedView.objects.get(owner=researcher)
    assert (view.name, view.query, view.columns, view.shared) == (
        "Hot ones",
        HOT,
        ["score", "status"],
        False,
    )
    assert response["Location"] == f"{reverse('queue')}?{HOT}"
    page = client.get(response["Location"])
    assert [row.pk for row in page.context["page"].object_list] == [hot.pk]
    assert cool.pk not in [row.pk for row in page.context["page"].object_list]
    assert page.context["columns"] == ["score", "status"]
    assert "Saved the view “Hot ones”." in page.content.decode()


def test_private_views_stay_private_and_shared_ones_reach_the_team(researcher, rep):
    saved.save_view(user=researcher, name="Mine", query="status=new")
    saved.save_view(user=researcher, name="Team", query="status=new", shared=True)
    assert [v.name for v in saved.views_for(researcher)] == ["Mine", "Team"]
    assert [v.name for v in saved.views_for(rep)] == ["Team"]
    mine = SavedView.objects.get(name="Mine")
    with pytest.raises(PermissionDenied):
        saved.set_default_view(user=rep, view=mine)
    with pytest.raises(PermissionDenied):
        saved.delete_view(user=rep, view=SavedView.objects.get(name="Team"))


def test_a_default_view_opens_the_bare_queue(client, rep):
    saved.save_view(user=rep, name="Fresh", query="ordering=-recency", make_default=True)
    client.force_login(rep)
    response = client.get(reverse("queue"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('queue')}?ordering=-recency"
    # Reset shows the whole queue without bouncing back to the default.
    assert client.get(reverse("queue"), {"clear": "1"}).status_code == 200
    saved.set_default_view(user=rep, view=None)
    assert client.get(reverse("queue")).status_code == 200


def test_another_persons_shared_view_can_be_a_default_until_it_is_unshared(client, rep):
    owner = UserFactory(username="sam", role="researcher")
    view = saved.save_view(user=owner, name="Shared", query="status=new", shared=True)
    client.force_login(rep)
    assert client.post(reverse("view_default", args=[view.pk])).status_code == 302
    assert client.get(reverse("queue")).status_code == 302
    saved.save_view(user=owner, name="Shared", query="status=new", shared=False)
    assert client.get(reverse("queue")).status_code == 200
    assert client.post(reverse("view_default", args=[view.pk])).status_code == 404


def test_bad_views_are_refused_with_a_reason(researcher):
    with pytest.raises(ServiceError, match="Give the view a name"):
        saved.save_view(user=researcher, name="  ", query="")
    with pytest.raises(ServiceError, match="Fix the filters"):
        saved.save_view(user=researcher, name="Broken", query="score_min=lots")
    with pytest.raises(ServiceError, match="at most 80"):
        saved.save_view(user=researcher, name="x" * 81, query="")


def test_the_owner_deletes_a_view_from_the_page(client, researcher):
    view = saved.save_view(user=researcher, name="Old", query="status=new")
    client.force_login(researcher)
    page = client.get(f"{reverse('queue')}?status=new").content.decode()
    assert "Delete “Old”" in page
    client.post(reverse("view_delete", args=[view.pk]))
    assert not SavedView.objects.exists()
