"""The audit log: who viewed or exported personal data (company pages, API listings)."""

from .models import AuditEvent


def record(request, *, action: str, kind: str, object_id: int | None = None) -> AuditEvent:
    """Note that the request's user viewed or exported `kind` (one object, or a listing)."""
    user = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        user=user,
        username=user.get_username() if user else "",
        action=action,
        object_kind=kind,
        object_id=object_id,
        path=request.get_full_path()[:500],
    )


class AuditedReads:
    """ViewSet mixin: a listing is an export and reading one object a view, both logged."""

    audit_kind = ""

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if response.status_code == 200:
            record(request, action=AuditEvent.Action.EXPORT, kind=self.audit_kind)
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if response.status_code == 200:
            record(
                request,
                action=AuditEvent.Action.VIEW,
                kind=self.audit_kind,
                object_id=int(kwargs["pk"]),
            )
        return response
