"""Saved queue views: save one (private or shared), delete one's own, choose a default."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict

from prospects.errors import ServiceError
from prospects.models import SavedView, ViewDefault
from prospects.queue.display import chosen_columns, view_query
from prospects.queue.filtersets import CompanyQueueFilter
from prospects.roles import ADMIN, REP, RESEARCHER, has_role, require_role

NAME_MAX = 80
QUERY_MAX = 2000


def views_for(user) -> QuerySet[SavedView]:
    """The views a person may open, their own and the team's shared ones, by name; each
    with `is_default` (the one their queue opens with), all in one query."""
    chosen = ViewDefault.objects.filter(user_id=user.pk, view_id=OuterRef("pk"))
    return (
        SavedView.objects.filter(Q(owner_id=user.pk) | Q(shared=True))
        .select_related("owner")
        .annotate(is_default=Exists(chosen))
        .order_by("name", "pk")
    )


def default_view(user) -> SavedView | None:
    """The view the person's queue opens with, if they chose one they may still see."""
    return next((view for view in views_for(user) if view.is_default), None)


@transaction.atomic
def save_view(*, user, name, query, shared=False, make_default=False) -> SavedView:
    """Save the queue's filters, sort and columns (a query string) under a name.

    The filters are checked as the queue reads them, so a view never holds a refused value;
    saving again under one's own name replaces that view.
    """
    require_role(user, RESEARCHER, REP)
    name = (name or "").strip()
    if not name:
        raise ServiceError({"name": "Give the view a name."})
    if len(name) > NAME_MAX:
        raise ServiceError({"name": f"A view's name has at most {NAME_MAX} characters."})
    params = QueryDict(query or "")
    filterset = CompanyQueueFilter(params)
    if not filterset.is_valid():
        raise ServiceError({"query": "Fix the filters before saving the view."})
    kept = view_query(params)
    if len(kept) > QUERY_MAX:
        raise ServiceError({"query": "These filters are too long to save."})
    try:
        with transaction.atomic():
            view, _created = SavedView.objects.update_or_create(
                owner=user,
                name=name,
                defaults={"query": kept, "columns": chosen_columns(params), "shared": shared},
            )
    except IntegrityError as exc:
        raise ServiceError({"name": "You already have a view with this name."}) from exc
    if make_default:
        set_default_view(user=user, view=view)
    return view


@transaction.atomic
def delete_view(*, user, view) -> None:
    """Delete a view (its owner or an admin); it stops being anyone's default."""
    if view.owner_id != user.pk and not has_role(user, ADMIN):
        raise PermissionDenied("Only the person who saved this view or an admin can delete it.")
    view.delete()


@transaction.atomic
def set_default_view(*, user, view) -> ViewDefault | None:
    """Make a view the one the person's queue opens with; `view=None` goes back to none."""
    require_role(user, RESEARCHER, REP)
    if view is None:
        ViewDefault.objects.filter(user=user).delete()
        return None
    if not (view.shared or view.owner_id == user.pk):
        raise PermissionDenied("This view is private to the person who saved it.")
    choice, _created = ViewDefault.objects.update_or_create(user=user, defaults={"view": view})
    return choice
